#pragma once
// vibectl's commands about the indexed library: status, scan, tracks,
// export, playlist, playlists and explain. Read-only ones work from the
// database when the daemon is not running, and say so.

#include <CLI/CLI.hpp>

#include "daemon/cli/cli_context.hpp"

namespace vibed::daemon {

void add_library_commands(CLI::App& app, CliContext& context);

}  // namespace vibed::daemon
