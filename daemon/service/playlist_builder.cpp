#include "daemon/service/playlist_builder.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

#include "playlist/m3u/m3u_writer.hpp"
#include "playlist/query/parser.hpp"
#include "playlist/query/query_error.hpp"
#include "playlist/query/sql_compiler.hpp"
#include "playlist/selection.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

std::string limit_clause(const config::PlaylistLimit& limit) {
    if (limit.count) return " limit " + std::to_string(*limit.count);
    if (limit.duration) return " limit " + std::to_string(limit.duration->count()) + "s";
    return "";
}

playlist::PathStyle to_playlist_style(config::PathStyle style) {
    switch (style) {
        case config::PathStyle::absolute: return playlist::PathStyle::Absolute;
        case config::PathStyle::relative_to_playlist: return playlist::PathStyle::RelativeToPlaylist;
        case config::PathStyle::relative_to_library: return playlist::PathStyle::RelativeToLibraryRoot;
    }
    return playlist::PathStyle::Absolute;
}

nlohmann::json read_draws(const fs::path& draws_file) {
    std::ifstream in(draws_file);
    if (!in) return nlohmann::json::object();
    auto draws = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    return draws.is_object() ? draws : nlohmann::json::object();
}

// The file is ours but may have been edited by hand: anything but a
// non-negative integer counts as draw 0.
std::uint64_t draw_of(const nlohmann::json& draws, const std::string& playlist_slug) {
    const auto it = draws.find(playlist_slug);
    return it != draws.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

}  // namespace

playlist::OutputTarget output_target(const config::OutputTarget& output, const config::Config& config) {
    const fs::path root = config.library.paths.empty() ? fs::path{} : config.library.paths.front();
    return {output.folder, output.extension, to_playlist_style(output.path_style), root};
}

playlist::Query playlist_query(const config::PlaylistDefinition& definition, std::string& query_text) {
    query_text = definition.query;
    if (definition.sort) query_text += " sort by " + *definition.sort;
    if (definition.shuffle) query_text += " shuffle";
    query_text += limit_clause(definition.limit);
    return playlist::parse_query(query_text);
}

BuiltPlaylist build_playlist(db::Index& index, std::int64_t model_id, const config::Config& config,
                             const config::PlaylistDefinition& definition, std::uint64_t draw) {
    BuiltPlaylist built;
    const playlist::Query query = playlist_query(definition, built.query_text);
    auto rows = index.select_library(model_id, playlist::compile(query));
    built.matches = rows.size();
    playlist::SelectionOptions options;
    options.seed = definition.name;
    options.draw = draw;
    options.artist_spread = definition.artist_spread;
    options.max_entries = config.playlists.max_entries;
    built.tracks = playlist::select_tracks(std::move(rows), query, options);
    return built;
}

PublishReport publish_playlists(db::Index& index, std::int64_t model_id, const config::Config& config,
                                const fs::path& draws_file) {
    PublishReport report;
    const nlohmann::json draws = read_draws(draws_file);
    for (const auto& [slug, draw] : draws.items()) {
        if (!draw.is_number_unsigned()) {
            report.problems.push_back(draws_file.string() + ": the draw of '" + slug + "' is " + draw.dump() +
                                      ", not a number; using 0");
        }
    }
    std::set<std::string> live_names;
    for (const auto& definition : config.playlist_definitions) {
        live_names.insert(definition.name);
        BuiltPlaylist built;
        try {
            built = build_playlist(index, model_id, config, definition, draw_of(draws, config::slug(definition.name)));
        } catch (const std::exception& e) {  // a bad rule, or one the database refuses
            report.problems.push_back("playlist '" + definition.name + "': " + e.what());
            continue;
        }
        for (const auto& output : config.outputs) {
            try {
                const auto result = playlist::write_playlist(output_target(output, config), definition.name, built.tracks);
                ++(result.changed ? report.written : report.unchanged);
                for (const auto& warning : result.warnings) report.problems.push_back(warning);
            } catch (const std::exception& e) {
                report.problems.push_back(e.what());
            }
        }
    }
    for (const auto& output : config.outputs) {
        try {
            playlist::remove_stale_playlists(output_target(output, config), live_names);
        } catch (const std::exception& e) {
            report.problems.push_back(e.what());
        }
    }
    return report;
}

std::uint64_t read_draw(const fs::path& draws_file, const std::string& playlist_slug) {
    return draw_of(read_draws(draws_file), playlist_slug);
}

void bump_draw(const fs::path& draws_file, const std::string& playlist_slug) {
    nlohmann::json draws = read_draws(draws_file);
    draws[playlist_slug] = draw_of(draws, playlist_slug) + 1;
    const fs::path temporary = draws_file.string() + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << draws.dump(2) << '\n';
        if (!out) throw std::runtime_error(temporary.string() + ": cannot write");
    }
    fs::rename(temporary, draws_file);  // atomic: readers see the old or the new file
}

fs::path draws_file_for(const fs::path& database) { return database.parent_path() / "playlist-draws.json"; }

}  // namespace vibed::daemon
