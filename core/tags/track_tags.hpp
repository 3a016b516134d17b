#pragma once
// Descriptive metadata of one audio file, as read from its tags.

#include <string>

namespace vibed::core {

struct TrackTags {
    std::string title;
    std::string artist;
    std::string album;
    std::string album_artist;
    std::string genre;
    int year = 0;          // 0 when unknown
    int track_number = 0;  // 0 when unknown
    double duration_seconds = 0;  // 0 when unknown
};

}  // namespace vibed::core
