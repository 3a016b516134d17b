#pragma once

#include <CLI/CLI.hpp>

#include "daemon/cli/cli_context.hpp"

namespace vibed::daemon {

// `vibectl analyze PATH...`: attributes for files and folders, without the
// daemon or the database. Exit code 0 when every file was analysed, 1 when
// any failed or was missing.
void add_analyze_command(CLI::App& app, CliContext& context);

// `vibectl dump-mel AUDIO OUT.f32`: the model's input for one file, as
// float32 (128 x frames, band-major), for building and checking models.
void add_dump_mel_command(CLI::App& app, CliContext& context);

}  // namespace vibed::daemon
