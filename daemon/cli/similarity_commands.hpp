#pragma once
// vibectl's commands that move through the similarity space: similar, radio
// and journey. They read the index directly (read-only), like `tracks`.

#include <CLI/CLI.hpp>

#include "daemon/cli/cli_context.hpp"

namespace vibed::daemon {

void add_similarity_commands(CLI::App& app, CliContext& context);

}  // namespace vibed::daemon
