#pragma once
// vibectl described from its own command table (the CLI11 tree main() built),
// so the shell completion and the manual page never list a command or option
// that is not there: `vibectl completion bash` and the hidden
// `vibectl manual-page` print them; the build writes both and
// `cmake --install` installs them.

#include <CLI/CLI.hpp>

#include <string>

namespace vibed::daemon {

// A bash completion script for `app` (commands, then each command's options;
// file names otherwise). Needs nothing of the bash-completion package.
std::string bash_completion(const CLI::App& app);

// vibectl(1) in roff: every visible command with its description, arguments
// and options, then the files, environment and exit status.
std::string manual_page(const CLI::App& app, const std::string& version);

// Adds `completion SHELL` and the hidden `manual-page`; call it last, after
// every other command is registered (both read the whole table when run).
void add_reference_commands(CLI::App& app, const std::string& version);

}  // namespace vibed::daemon
