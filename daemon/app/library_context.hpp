#pragma once
// The library as vibectl's database-backed commands (and anything else that
// reads it while vibed writes) see it: the configuration, the index opened
// read-only (it works while the daemon writes) and the id of the configured
// model's results in it.

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/model/file_digest.hpp"
#include "daemon/app/playlist_builder.hpp"
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

// Opens `config`'s index read-only. The model's identity is its sha256:
// `recorded` is what a running daemon recorded of its model
// (daemon/control/daemon_record.hpp) and is used, instead of hashing the
// model file again, while it names the same unchanged file.
// Throws std::runtime_error with a clear message when the index does not
// exist yet (the daemon has never run) or cannot be read.
LibraryAccess open_library(config::Config config, const std::optional<core::FileDigest>& recorded = std::nullopt);

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
    std::vector<core::LibraryRow> tracks;
};
QuerySelection select_by_query(LibraryAccess& library, const std::string& query_text);

}  // namespace vibed::daemon
