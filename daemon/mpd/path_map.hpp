#pragma once
// Between vibed's paths and MPD's URIs: MPD names a song by its path
// relative to its music_directory, vibed by the absolute path of the file.
// Symbolic links are followed as util::RelativeBase does, the M3U writer's
// definition too.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/path_tree.hpp"

namespace vibed::daemon::mpd {

class PathMap {
public:
    // `music_directory` is MPD's music_directory as vibed sees it (absolute).
    explicit PathMap(const std::filesystem::path& music_directory);

    // The song's URI for MPD, or nullopt when the file is not inside the music
    // directory (also after following symbolic links on both sides).
    [[nodiscard]] std::optional<std::string> to_uri(const std::filesystem::path& track) const;
    // The file a URI of MPD's names; nullopt for a stream (a URL) or a URI
    // that leaves the music directory.
    [[nodiscard]] std::optional<std::filesystem::path> to_path(std::string_view uri) const;

    [[nodiscard]] const std::filesystem::path& music_directory() const { return base_.folder(); }

private:
    util::RelativeBase base_;
};

}  // namespace vibed::daemon::mpd
