#pragma once
// What every vibectl command shares: global options and the exit code.

#include <filesystem>
#include <optional>
#include <string>

namespace vibed::daemon {

struct CliContext {
    std::optional<std::filesystem::path> config_path;  // --config
    int exit_code = 0;
};

}  // namespace vibed::daemon
