#include "daemon/app/library_context.hpp"

#include <filesystem>
#include <stdexcept>
#include <utility>

#include "daemon/app/model_selection.hpp"
#include "playlist/query/parser.hpp"
#include "playlist/query/query_error.hpp"
#include "playlist/query/sql_compiler.hpp"
#include "playlist/selection.hpp"

namespace vibed::daemon {

LibraryAccess open_library(config::Config config, const std::optional<core::FileDigest>& recorded) {
    std::error_code error;
    if (!std::filesystem::exists(config.database.path, error)) {
        throw std::runtime_error(config.database.path.string() +
                                 ": no index yet; start vibed (or run `vibed --once`) to build it");
    }
    db::Index index = db::Index::open_readonly(config.database.path);
    const ModelSelection model = select_model(config.analysis.model);
    const std::string sha256 = core::sha256_file_reusing(model.file, recorded);
    const auto model_id = index.find_model(sha256);
    return LibraryAccess{std::move(config), std::move(index), model.name, sha256, model_id};
}

std::int64_t require_model(const LibraryAccess& library) {
    if (!library.model_id) {
        throw std::runtime_error("no track has been analysed with model '" + library.model_name +
                                 "' yet; is vibed running?");
    }
    return *library.model_id;
}

const config::PlaylistDefinition& require_playlist(const config::Config& config, const std::string& name) {
    if (const auto* definition = config::find_playlist(config, name)) return *definition;
    std::string known;
    for (const auto& definition : config.playlist_definitions) known += (known.empty() ? "" : ", ") + definition.name;
    throw std::runtime_error("no playlist named '" + name + "' (configured: " + known + ")");
}

BuiltPlaylist build_named(LibraryAccess& library, const config::PlaylistDefinition& definition) {
    const auto draws_file = draws_file_for(library.config.database.path);
    return build_playlist(library.index, require_model(library), library.config, definition,
                          read_draw(draws_file, config::slug(definition.name)));
}

QuerySelection select_by_query(LibraryAccess& library, const std::string& query_text) {
    QuerySelection selection;
    try {
        selection.query = playlist::parse_query(query_text);
    } catch (const playlist::QueryError& e) {
        throw std::runtime_error("bad query:\n" + playlist::render_query_error(query_text, e));
    }
    auto rows = library.index.select_library(require_model(library), playlist::compile(selection.query));
    selection.matches = rows.size();
    playlist::SelectionOptions options;
    options.seed = query_text;
    selection.tracks = playlist::select_tracks(std::move(rows), selection.query, options);
    return selection;
}

}  // namespace vibed::daemon
