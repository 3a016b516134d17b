#include "daemon/app/playlist_builder.hpp"

#include <nlohmann/json.hpp>

#include <set>

#include "daemon/app/similarity_search.hpp"
#include "core/util/atomic_file.hpp"
#include "playlist/query/sql_compiler.hpp"
#include "daemon/app/playlist_rules.hpp"
#include "playlist/selection.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

// The counters by slug; a file that is missing, unreadable or not the
// expected shape counts as no draws yet (it only reshuffles).
nlohmann::json read_draws(const fs::path& draws_file) {
    std::optional<std::string> text;
    try {
        text = util::read_file_if_exists(draws_file);
    } catch (const std::exception&) {
    }
    if (!text) return nlohmann::json::object();
    auto draws = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    return draws.is_object() ? draws : nlohmann::json::object();
}

// The file is ours but may have been edited by hand: anything but a
// non-negative integer counts as draw 0.
std::uint64_t draw_of(const nlohmann::json& draws, const std::string& playlist_slug) {
    const auto it = draws.find(playlist_slug);
    return it != draws.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

}  // namespace

config::Config load_checked_config(const std::optional<fs::path>& path) {
    config::Config config = config::load_config(path);
    check_rules(config);
    return config;
}

namespace {

// A radio or journey playlist: a walk through the similarity space, its own
// order; `query` filters the tracks it may pick.
BuiltPlaylist build_walk(db::Index& index, std::int64_t model_id, const config::Config& config,
                         const config::PlaylistDefinition& definition) {
    const playlist::Query filter = rule_query(definition);
    std::optional<playlist::Limit> limit;
    if (filter.limit) limit = *filter.limit;
    const std::string where = definition.query;
    const SimilaritySpace space = find_similarity_space(index, model_id, config);
    BuiltPlaylist built;
    if (definition.kind == config::PlaylistKind::radio) {
        (void)seed_query(definition);  // a bad seed is a config error, with its position
        RadioRequest request;
        request.seeds = {seed_from_query(index, space, definition.seed)};
        request.where = where;
        request.options.limit = limit;
        built.query_text = "radio from `" + definition.seed + "`";
        built.tracks = build_radio(index, space, request);
    } else {
        JourneyRequest request;
        request.from_mood = definition.from;
        request.to_mood = definition.to;
        request.where = where;
        request.options.limit = limit;
        built.query_text = "journey from " + definition.from + " to " + definition.to;
        built.tracks = build_journey(index, space, request);
    }
    if (!where.empty()) built.query_text += " over `" + where + "`";
    built.matches = built.tracks.size();
    return built;
}

}  // namespace

BuiltPlaylist build_playlist(db::Index& index, std::int64_t model_id, const config::Config& config,
                             const config::PlaylistDefinition& definition, std::uint64_t draw) {
    if (definition.kind != config::PlaylistKind::rule) return build_walk(index, model_id, config, definition);
    BuiltPlaylist built;
    const playlist::Query query = without_excluded(rule_query(definition), config.playlists.exclude);
    built.query_text = playlist::to_string(query);
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
        } catch (const config::ConfigError& e) {  // a bad rule: the message names the playlist and the file
            report.problems.push_back(e.what());
            continue;
        } catch (const std::exception& e) {  // one the database refuses
            report.problems.push_back("playlist '" + definition.name + "': " + e.what());
            continue;
        }
        for (const auto& output : config.outputs) {
            try {
                const auto result = playlist::write_playlist(output, config.library.paths, definition.name, built.tracks);
                ++(result.changed ? report.written : report.unchanged);
                for (const auto& warning : result.warnings) report.problems.push_back(warning);
            } catch (const std::exception& e) {
                ++report.failed;
                report.problems.push_back(e.what());
            }
        }
    }
    for (const auto& output : config.outputs) {
        try {
            for (auto& removed : playlist::remove_stale_playlists(output, live_names)) {
                report.removed.push_back(std::move(removed));
            }
            // What a writer killed mid-write left (ours or vibectl's): the first
            // publish after a crash clears it.
            for (auto& removed : util::remove_abandoned_temporaries(output.folder)) {
                report.removed_temporaries.push_back(std::move(removed));
            }
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
    util::write_file_atomically(draws_file, draws.dump(2) + "\n");
}

fs::path draws_file_for(const fs::path& database) { return database.parent_path() / "playlist-draws.json"; }

}  // namespace vibed::daemon
