#pragma once
// `vibectl play NAME|QUERY|radio SEED... [--append]`: a named playlist, a
// query's tracks or a radio into MPD's queue (replacing it, or appended), and
// playback started.

#include <CLI/CLI.hpp>

#include "daemon/cli/cli_context.hpp"

namespace vibed::daemon {

void add_play_command(CLI::App& app, CliContext& context);

}  // namespace vibed::daemon
