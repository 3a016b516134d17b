#pragma once
// What vibectl's database-backed commands share: the configuration, the
// index opened read-only (it works while the daemon writes) and the id of
// the configured model's results in it.

#include <optional>
#include <string>

#include "config/config.hpp"
#include "daemon/cli/cli_context.hpp"
#include "daemon/service/playlist_builder.hpp"
#include "db/index.hpp"
#include "playlist/query/ast.hpp"

namespace vibed::daemon {

struct LibraryAccess {
    config::Config config;
    db::Index index;
    std::string model_name;
    std::string model_sha256;
    // nullopt: nothing was ever analysed with this model.
    std::optional<std::int64_t> model_id;
};

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

// Throws std::runtime_error with a clear message when the index does not
// exist yet (the daemon has never run) or cannot be read.
LibraryAccess open_library(const CliContext& context, ConfigUse use = ConfigUse::read_only);

// The model's id, or a clear error when nothing was analysed with it yet.
std::int64_t require_model(const LibraryAccess& library);

// The playlist with this name, slug or alias; throws listing the configured ones.
const config::PlaylistDefinition& require_playlist(const config::Config& config, const std::string& name);

// A configured playlist's tracks as vibed writes them (its current draw).
BuiltPlaylist build_named(LibraryAccess& library, const config::PlaylistDefinition& definition);

// The tracks a query selects, as `vibectl tracks` lists them. Throws
// std::runtime_error with the query and a caret for a bad query.
struct QuerySelection {
    playlist::Query query;              // as parsed
    std::size_t matches = 0;            // before the query's limit
    std::vector<db::LibraryRow> tracks;
};
QuerySelection select_by_query(LibraryAccess& library, const std::string& query_text);

// The query the shell's words make, as beets reads them: joined by spaces,
// a `field:value with spaces` word (a query field's name before the colon)
// quoted as field:"value with spaces"
// (`vibectl tracks artist:Miles\ Davis genre:jazz`). A whole quoted query
// ('energy > 0.7') stays as it is.
std::string query_from_words(const std::vector<std::string>& words);

}  // namespace vibed::daemon
