#pragma once

#include <CLI/CLI.hpp>

#include "daemon/cli/cli_context.hpp"

namespace vibed::daemon {

// `vibectl doctor`: what each player will see and why. The configuration in
// use, what was found of MPD and what vibed does about it, and for every
// output target: the folder, whether it can be written, which players read
// its path style, and each playlist's file with its number of entries.
// Last, the folders the systemd unit's sandbox does not let vibed write and
// the drop-in that adds them (--write-drop-in writes it).
// Exit code 1 when a playlist folder cannot be written.
void add_doctor_command(CLI::App& app, CliContext& context);

}  // namespace vibed::daemon
