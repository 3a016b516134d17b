#pragma once

#include <filesystem>

#include "core/tags/track_tags.hpp"

namespace vibed::core {

// Reads title, artist, album, album artist, genre, year, track number and
// duration with TagLib. Never throws: broken or missing tags give empty
// fields, so a bad tag never stops the analysis of good audio. The file is
// opened read-only (a read-write open would show up as a modification to
// inotify watchers, ours included).
TrackTags read_tags(const std::filesystem::path& file) noexcept;

}  // namespace vibed::core
