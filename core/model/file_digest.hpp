#pragma once

#include <filesystem>
#include <string>

namespace vibed::core {

// Lower-case hex SHA-256 of a file's contents. Throws std::runtime_error naming
// the file when it cannot be read.
std::string sha256_file(const std::filesystem::path& file);

}  // namespace vibed::core
