#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace vibed::core {

// Lower-case hex SHA-256 of a file's contents. Throws std::runtime_error naming
// the file when it cannot be read.
std::string sha256_file(const std::filesystem::path& file);

// A file's digest with the version (size, modification time) it was taken
// of, so that another process can reuse it while the file is unchanged: the
// daemon records its model's, and vibectl does not hash 5 MB per command.
struct FileDigest {
    std::filesystem::path file;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::string sha256;
};

// `sha256` as the digest of `file` as it is now; nullopt when the file is
// gone or not a regular file.
std::optional<FileDigest> digest_of_current(const std::filesystem::path& file, std::string sha256);

// known->sha256 when `known` names `file` and the file's size and modification
// time are still the ones recorded; otherwise sha256_file(file).
std::string sha256_file_reusing(const std::filesystem::path& file, const std::optional<FileDigest>& known);

}  // namespace vibed::core
