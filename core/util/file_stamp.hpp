#pragma once
// What tells us a file changed: its size and modification time.

#include <cstdint>
#include <filesystem>
#include <optional>

namespace vibed::util {

struct FileStamp {
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

// The stamp of a regular file (following symlinks), or nullopt when it is
// missing, unreadable or not a regular file.
std::optional<FileStamp> stamp_of(const std::filesystem::path& file) noexcept;

}  // namespace vibed::util
