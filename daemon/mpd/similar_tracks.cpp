#include "daemon/mpd/similar_tracks.hpp"

#include <stdexcept>

#include "daemon/app/similarity_search.hpp"

namespace vibed::daemon::mpd {

namespace fs = std::filesystem;

std::vector<fs::path> suggest_like_recent(db::Index& index, const config::Config& config, std::int64_t model_id,
                                          const std::vector<fs::path>& seeds, const std::set<fs::path>& excluded,
                                          std::size_t count) {
    const SimilaritySpace space = find_similarity_space(index, model_id, config);
    const core::VectorSet vectors = load_vectors(index, space);
    RadioRequest request;
    for (const auto& seed : seeds) {
        try {
            seed_track(index, space, vectors, seed);
            request.seeds.push_back(seed);
        } catch (const db::DatabaseError&) {
            throw;
        } catch (const std::runtime_error&) {
            // Not indexed, not analysed yet, or without a vector: go on from the others.
        }
    }
    if (request.seeds.empty()) {
        throw std::runtime_error("none of the last " + std::to_string(seeds.size()) +
                                 " tracks of MPD's queue is analysed with a similarity vector yet");
    }
    request.exclude.assign(excluded.begin(), excluded.end());
    request.options.include_seeds = false;
    request.options.limit = playlist::Limit{playlist::Limit::Kind::Count, count, {}};
    std::vector<fs::path> picks;
    for (const auto& row : build_radio(index, space, request)) picks.push_back(row.path);
    return picks;
}

}  // namespace vibed::daemon::mpd
