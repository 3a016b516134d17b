#pragma once
// What `vibectl map` and the daemon's map page show: every track with moods,
// placed by perceived valence and arousal (as stored in the index), its mood
// probabilities, the leading reasons for its most likely mood (the mood
// model's explanation, as `vibectl explain` prints it) and the configured
// playlists as sets of tracks.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/model/moods.hpp"
#include "db/index.hpp"

namespace vibed::daemon {

// How many reasons the map keeps per track (the page is sized by this).
inline constexpr std::size_t kMapReasons = 3;

// One contribution to the track's most likely mood.
struct MapReason {
    std::size_t input = 0;  // into LibraryMap::inputs
    bool high = false;      // the track's value is above the training mean
    double contribution = 0;  // log-odds
};

struct MapTrack {
    std::int64_t id = 0;
    std::string artist;
    std::string title;  // the file's name when the tags have none
    core::Moods moods;
    std::vector<MapReason> reasons;  // at most kMapReasons, largest first
};

struct MapPlaylist {
    std::string name;
    std::vector<std::uint32_t> tracks;  // indices into LibraryMap::tracks, ascending
};

struct LibraryMap {
    std::vector<std::string> inputs;  // the mood model's input names
    std::vector<MapTrack> tracks;     // ordered by path
    std::vector<MapPlaylist> playlists;
    std::size_t without_moods = 0;    // analysed tracks whose moods are not computed yet
    std::vector<std::string> problems;  // a playlist that could not be built, one line each
};

// Reads every analysed track of `model_id` and builds every configured
// playlist (its current draw, as published). Throws db errors as they come.
LibraryMap collect_library_map(db::Index& index, std::int64_t model_id, const config::Config& config,
                               const std::filesystem::path& draws_file);

}  // namespace vibed::daemon
