#pragma once
// Walks library folders and lists every audio file with its stamp. Pure file
// system work: deciding what to re-analyse is the caller's job.

#include <filesystem>
#include <string>
#include <vector>

#include "core/util/file_stamp.hpp"

namespace vibed::daemon {

struct ScannedFile {
    std::filesystem::path path;
    util::FileStamp stamp;
};

struct ScanOptions {
    std::vector<std::string> exclude;  // globs matched against each file and folder name
    bool follow_symlinks = true;
};

struct ScanResult {
    std::vector<ScannedFile> files;  // sorted by path
    bool folder_missing = false;     // the folder itself is gone or unreadable
    // Folders inside it that could not be listed (logged): what the index
    // holds under them is unknown, not gone.
    std::vector<std::filesystem::path> unreadable;
};

// Whether a file or folder name matches one of the exclude globs.
bool is_excluded(const std::filesystem::path& path, const std::vector<std::string>& exclude);

// Walks `folder` recursively. Symlinked folders are followed when allowed,
// each real folder at most once, so symlink loops end; unreadable folders and
// non-audio files are skipped with a log line.
ScanResult scan_folder(const std::filesystem::path& folder, const ScanOptions& options);

}  // namespace vibed::daemon
