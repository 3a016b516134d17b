#pragma once
// Expands the files and folders named on the command line into a sorted list
// of files, the way VibeNet's CLI does (-r to recurse, --glob to filter).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vibed::daemon {

struct CollectOptions {
    bool recursive = false;
    // Matched against file names inside folders; without it, folders yield
    // the files with an audio extension.
    std::optional<std::string> glob;
};

struct CollectedFiles {
    std::vector<std::filesystem::path> files;  // sorted, unique
    std::vector<std::string> errors;           // one line each, e.g. "missing.mp3: no such file or folder"
    // Folders named without --recursive whose sub-folders were not looked into.
    std::vector<std::filesystem::path> skipped_subfolders;
};

CollectedFiles collect_files(const std::vector<std::string>& inputs, const CollectOptions& options);

}  // namespace vibed::daemon
