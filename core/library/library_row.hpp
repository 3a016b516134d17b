#pragma once
// An analysed track as the playlist engine reads it: the index's `library`
// view fills it (db/), rules, radios and M3U files read it (playlist/).

#include <cstdint>
#include <filesystem>
#include <optional>

#include "core/features/musical_features.hpp"
#include "core/model/attributes.hpp"
#include "core/model/moods.hpp"
#include "core/tags/track_tags.hpp"

namespace vibed::core {

// One row of the index's `library` view: an analysed track, for playlists.
struct LibraryRow {
    std::int64_t id = 0;
    std::filesystem::path path;
    core::TrackTags tags;
    core::Attributes attributes;
    std::optional<core::MusicalFeatures> features;  // nullopt until analysed by this extractor
    std::optional<core::Moods> moods;               // nullopt until computed
    std::int64_t added_at = 0;  // when the index first saw the file, Unix seconds
};

}  // namespace vibed::core
