#include "daemon/app/similarity_search.hpp"

#include <set>
#include <stdexcept>

#include "core/model/file_digest.hpp"
#include "core/model/model_locator.hpp"
#include "playlist/query/parser.hpp"
#include "playlist/query/query_error.hpp"
#include "playlist/query/sql_compiler.hpp"
#include "daemon/app/playlist_rules.hpp"
#include "playlist/similarity/neighbours.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& message) { throw std::runtime_error(message); }

// `where` (empty: every track) minus the configured exclusion, as one query tree.
util::SqlFilter filter_of(const std::string& where, const std::string& exclude) {
    if (where.empty() && exclude.empty()) return {};
    try {
        playlist::Query query = where.empty() ? playlist::Query{} : playlist::parse_query(where);
        query = without_excluded(std::move(query), exclude);
        util::SqlFilter filter = playlist::compile(query);
        filter.order_by_sql.clear();  // the walk decides the order
        return filter;
    } catch (const playlist::QueryError& e) {
        fail("bad query:\n" + playlist::render_query_error(where, e));
    }
}

std::vector<float> copy_of(std::span<const float> vector) { return {vector.begin(), vector.end()}; }

}  // namespace

SimilaritySpace find_similarity_space(db::Index& index, std::int64_t model_id, const config::Config& config) {
    const auto file = core::resolve_similarity_model(config.analysis.similarity_model);
    if (!file) {
        fail("similarity is turned off (analysis.similarity_model = \"none\"); set it to \"similarity\" or the path "
             "of a similarity model and restart vibed");
    }
    SimilaritySpace space;
    space.model_id = model_id;
    space.similarity_model = file->stem().string();
    space.sha256 = core::sha256_file(*file);
    space.similarity_model_id = index.find_model(space.sha256).value_or(0);
    space.exclude = config.playlists.exclude;
    return space;
}

core::VectorSet load_vectors(db::Index& index, const SimilaritySpace& space) {
    core::VectorSet vectors;
    if (space.similarity_model_id != 0) vectors = index.similarity_vectors(space.model_id, space.similarity_model_id);
    if (vectors.size() == 0) {
        fail("no track has a vector from similarity model '" + space.similarity_model +
             "' yet; vibed computes them when it starts (is it running with this configuration?)");
    }
    return vectors;
}

playlist::SpaceTrack seed_track(db::Index& index, const SimilaritySpace& space, const core::VectorSet& vectors,
                                const fs::path& path) {
    const auto record = index.find_track(path, space.model_id);
    if (!record) fail(path.string() + ": not in the index (not under a library folder, or not scanned yet)");
    switch (record->status) {
        case db::TrackStatus::pending: fail(path.string() + ": not analysed yet; try again once vibed has analysed it");
        case db::TrackStatus::error: fail(path.string() + ": its analysis failed: " + record->error);
        case db::TrackStatus::ok: break;
    }
    if (!record->attributes) fail(path.string() + ": not analysed with the configured model yet");
    const auto at = vectors.find(record->id);
    if (!at) fail(path.string() + ": has no similarity vector yet; vibed computes it when it starts");
    core::LibraryRow row = record->library_row();
    return {std::move(row), copy_of(vectors.vector(*at))};
}

std::vector<SimilarTrack> similar_tracks(db::Index& index, const SimilaritySpace& space, const fs::path& path,
                                         std::size_t count) {
    const core::VectorSet vectors = load_vectors(index, space);
    const playlist::SpaceTrack seed = seed_track(index, space, vectors, path);
    const std::size_t seed_at = *vectors.find(seed.row.id);
    const auto neighbours =
        playlist::nearest(vectors, seed.vector, count, [seed_at](std::size_t i) { return i == seed_at; });
    std::vector<std::int64_t> ids;
    for (const auto& neighbour : neighbours) ids.push_back(vectors.track_ids[neighbour.index]);
    std::vector<core::LibraryRow> rows = index.library_rows(space.model_id, ids);
    std::vector<SimilarTrack> similar;
    for (std::size_t i = 0, k = 0; i < rows.size(); ++i) {
        while (vectors.track_ids[neighbours[k].index] != rows[i].id) ++k;  // rows keep the neighbours' order
        similar.push_back({std::move(rows[i]), neighbours[k].distance});
    }
    return similar;
}

std::vector<playlist::SpaceTrack> load_candidates(db::Index& index, const SimilaritySpace& space,
                                                  const core::VectorSet& vectors, const std::string& where,
                                                  const std::vector<fs::path>& exclude) {
    const std::set<fs::path> excluded(exclude.begin(), exclude.end());
    std::vector<playlist::SpaceTrack> candidates;
    for (auto& row : index.select_library(space.model_id, filter_of(where, space.exclude))) {
        if (excluded.contains(row.path)) continue;
        const auto at = vectors.find(row.id);
        if (!at) continue;  // analysed after the vectors were read, or not yet given one
        candidates.push_back({std::move(row), copy_of(vectors.vector(*at))});
    }
    return candidates;
}

fs::path seed_from_query(db::Index& index, const SimilaritySpace& space, const std::string& query) {
    const core::VectorSet vectors = load_vectors(index, space);
    const auto matches = load_candidates(index, space, vectors, query);
    if (matches.empty()) fail("no analysed track with a similarity vector matches `" + query + "`");
    std::vector<double> sum(vectors.dimensions, 0.0);
    for (const auto& match : matches) {
        for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += match.vector[i];
    }
    std::vector<float> centre(sum.size());
    for (std::size_t i = 0; i < sum.size(); ++i) centre[i] = static_cast<float>(sum[i] / static_cast<double>(matches.size()));
    std::size_t typical = 0;
    double closest = playlist::squared_distance(matches[0].vector, centre);
    for (std::size_t k = 1; k < matches.size(); ++k) {
        const double d = playlist::squared_distance(matches[k].vector, centre);
        if (d < closest) {
            closest = d;
            typical = k;
        }
    }
    return matches[typical].row.path;
}

std::vector<core::LibraryRow> build_radio(db::Index& index, const SimilaritySpace& space, const RadioRequest& request) {
    if (request.seeds.empty()) fail("a radio needs at least one seed track");
    const core::VectorSet vectors = load_vectors(index, space);
    std::vector<playlist::SpaceTrack> seeds;
    for (const auto& path : request.seeds) seeds.push_back(seed_track(index, space, vectors, path));
    const auto candidates = load_candidates(index, space, vectors, request.where, request.exclude);
    return playlist::radio(seeds, candidates, request.options);
}

namespace {

playlist::MoodPoint require_mood_point(const std::string& name) {
    if (const auto point = playlist::mood_point(name)) return *point;
    fail("unknown mood '" + name + "' (known: " + playlist::mood_point_names() + ")");
}

}  // namespace

std::vector<core::LibraryRow> build_journey(db::Index& index, const SimilaritySpace& space,
                                          const JourneyRequest& request) {
    const bool by_tracks = !request.from_track.empty() || !request.to_track.empty();
    if (by_tracks && (request.from_track.empty() || request.to_track.empty())) {
        fail("a journey between tracks needs both a start and an end track");
    }
    if (!by_tracks && ((request.from_mood.empty() && !request.from_point) || request.to_mood.empty())) {
        fail("a journey needs two tracks, or --from and --to moods (" + playlist::mood_point_names() + ")");
    }
    // Checked before the index is read, so a typo is reported as such.
    std::optional<playlist::MoodPoint> from_mood;
    std::optional<playlist::MoodPoint> to_mood;
    if (!by_tracks) {
        from_mood = request.from_mood.empty() ? *request.from_point : require_mood_point(request.from_mood);
        to_mood = require_mood_point(request.to_mood);
    }
    const core::VectorSet vectors = load_vectors(index, space);
    if (by_tracks) {
        const auto from = seed_track(index, space, vectors, request.from_track);
        const auto to = seed_track(index, space, vectors, request.to_track);
        if (from.row.path == to.row.path) fail(from.row.path.string() + ": a journey needs two different tracks");
        const auto candidates = load_candidates(index, space, vectors, request.where);
        return playlist::journey(from, to, candidates, request.options);
    }
    const auto candidates = load_candidates(index, space, vectors, request.where);
    if (candidates.empty()) {
        fail(request.where.empty() ? "no analysed track has a similarity vector"
                                   : "no analysed track with a similarity vector matches `" + request.where + "`");
    }
    auto rows = playlist::mood_ramp(*from_mood, *to_mood, candidates, request.options);
    if (rows.empty()) fail("no candidate track has moods (is analysis.mood_model \"none\"?)");
    return rows;
}

}  // namespace vibed::daemon
