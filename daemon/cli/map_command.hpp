#pragma once
// `vibectl map [-o FILE]`: the library on the mood plane as one HTML page
// (daemon/map/map_page.hpp). Reads the index directly, like `tracks`.

#include <CLI/CLI.hpp>

#include "daemon/cli/cli_context.hpp"

namespace vibed::daemon {

void add_map_command(CLI::App& app, CliContext& context);

}  // namespace vibed::daemon
