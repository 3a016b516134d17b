#pragma once
// How vibectl finds the configuration and the library it works with: the
// library context itself (daemon/app/library_context.hpp) over the config
// vibectl was given, or the running daemon's.

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "daemon/cli/cli_context.hpp"
#include "daemon/app/library_context.hpp"

namespace vibed::daemon {


// What a command does with the configuration: read-only commands (status,
// tracks, export...) still work when the file is broken; the others refuse.
enum class ConfigUse { read_only, acting };

// The configuration vibectl works with:
// - the file given with --config, else the first of config_search_path();
// - not told which, and no daemon listens where that config says: the
//   configuration of the running vibed, found through its record
//   (daemon/control/daemon_record.hpp), e.g. one started with `vibed --config X`;
// - the file broken (ConfigError): for ConfigUse::acting the error is thrown;
//   for read-only commands one line on stderr names file:line:column and says
//   that the running vibed's configuration, else the built-in defaults, is used.
config::Config load_cli_config(const CliContext& context, ConfigUse use = ConfigUse::read_only);

// The library context over load_cli_config()'s configuration, with the
// running daemon's record of its model when there is one. Throws
// std::runtime_error with a clear message when the index does not exist yet
// (the daemon has never run) or cannot be read.
LibraryAccess open_library(const CliContext& context, ConfigUse use = ConfigUse::read_only);

// The query the shell's words make, as beets reads them: joined by spaces,
// a `field:value with spaces` word (a query field's name before the colon)
// quoted as field:"value with spaces"
// (`vibectl tracks artist:Miles\ Davis genre:jazz`). A whole quoted query
// ('energy > 0.7') stays as it is.
std::string query_from_words(const std::vector<std::string>& words);

}  // namespace vibed::daemon
