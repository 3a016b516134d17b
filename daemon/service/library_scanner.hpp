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

// An entry that cannot be indexed, for a reason the user should see in
// `vibectl errors`: a FIFO, socket or device with an audio name, a symbolic
// link loop, a broken link, a path longer than the system allows.
struct RefusedEntry {
    std::filesystem::path path;
    util::FileStamp stamp;  // of the entry itself (lstat), zero when even that fails
    std::string reason;  // "<path>: <reason>"
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
    std::vector<RefusedEntry> refused;  // sorted by path; never opened
};

// Whether a file or folder name matches one of the exclude globs.
bool is_excluded(const std::filesystem::path& path, const std::vector<std::string>& exclude);

// Walks `folder` recursively. Symlinked folders are followed when allowed,
// each real folder at most once, so symlink loops end; unreadable folders and
// non-audio files are skipped with a log line. Nothing is opened but folders
// (a FIFO is only stat()ed), so the walk never blocks on one.
ScanResult scan_folder(const std::filesystem::path& folder, const ScanOptions& options);

}  // namespace vibed::daemon
