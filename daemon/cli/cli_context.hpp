#pragma once
// What every vibectl command shares: global options and the exit code.

#include <filesystem>
#include <optional>
#include <string>

namespace vibed::daemon {

struct CliContext {
    std::optional<std::filesystem::path> config_path;  // --config
    int exit_code = 0;
    // A command may load the config twice (status: for the socket, then the
    // database); the note about a broken file is said once.
    mutable bool broken_config_noted = false;
    mutable bool running_config_noted = false;  // the file differs from what vibed runs
};

}  // namespace vibed::daemon
