#pragma once
// Whole-file reads and crash-safe whole-file replacement on POSIX.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vibed::util {

// Replaces `target` with `content` so that readers (and a crash at any point)
// see either the complete old file or the complete new one: the bytes go to
// a temporary file in the same folder, are fsync'ed, renamed over `target`,
// and the folder is fsync'ed. The file gets `mode` minus the umask (0600 for
// what only its owner may read).
// Throws std::runtime_error naming the file or folder and the reason.
void write_file_atomically(const std::filesystem::path& target, std::string_view content, unsigned mode = 0666);

// Deletes the temporary files that write_file_atomically left in `folder` when
// its process died between creating and renaming one (a crash, kill -9): only
// regular files named by its own pattern, ".TARGET.PID-N.tmp", whose PID is
// not a running process. Returns them. Nothing else in the folder is touched.
// Throws std::runtime_error naming the file when one cannot be removed.
std::vector<std::filesystem::path> remove_abandoned_temporaries(const std::filesystem::path& folder);

// The file's bytes, or nullopt when it does not exist.
// Throws std::runtime_error when it exists but cannot be read.
std::optional<std::string> read_file_if_exists(const std::filesystem::path& path);

}  // namespace vibed::util
