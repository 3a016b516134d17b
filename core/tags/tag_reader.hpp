#pragma once

#include <filesystem>

#include "core/tags/track_tags.hpp"

namespace vibed::core {

// Reads title, artist, album, album artist, genre, year, track number and
// duration with TagLib. Never throws: broken or missing tags give empty
// fields, so a bad tag never stops the analysis of good audio. The file is
// opened read-only (a read-write open would show up as a modification to
// inotify watchers, ours included).
// Opens the file as the decoders do (a regular file only: a FIFO or a device
// gives empty tags at once instead of blocking).
TrackTags read_tags(const std::filesystem::path& file) noexcept;

class SourceFile;
// Reads from an already opened file, without moving its read position.
TrackTags read_tags(const SourceFile& source) noexcept;

}  // namespace vibed::core
