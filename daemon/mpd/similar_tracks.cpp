#include "daemon/mpd/similar_tracks.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "daemon/app/day_curve.hpp"
#include "daemon/app/similarity_search.hpp"

namespace vibed::daemon::mpd {

namespace fs = std::filesystem;

namespace {

// The mood of the newest seed that has one.
std::optional<playlist::MoodPoint> mood_of_latest(db::Index& index, const SimilaritySpace& space,
                                                  const core::VectorSet& vectors, const std::vector<fs::path>& seeds) {
    for (auto seed = seeds.rbegin(); seed != seeds.rend(); ++seed) {
        try {
            const auto track = seed_track(index, space, vectors, *seed);
            if (track.row.moods) return playlist::MoodPoint{track.row.moods->valence, track.row.moods->arousal};
        } catch (const db::DatabaseError&) {
            throw;
        } catch (const std::runtime_error&) {
            // Not indexed, not analysed yet, or without a vector: look further back.
        }
    }
    return std::nullopt;
}

}  // namespace

std::vector<fs::path> suggest_towards_mood(db::Index& index, const config::Config& config, std::int64_t model_id,
                                           const std::vector<fs::path>& seeds, const std::set<fs::path>& excluded,
                                           std::size_t count, playlist::MoodPoint target) {
    const SimilaritySpace space = find_similarity_space(index, model_id, config);
    const core::VectorSet vectors = load_vectors(index, space);
    const auto from = mood_of_latest(index, space, vectors, seeds);
    if (!from) {
        throw std::runtime_error("none of the last " + std::to_string(seeds.size()) +
                                 " tracks of MPD's queue has moods and a similarity vector yet");
    }
    std::vector<fs::path> exclude(excluded.begin(), excluded.end());
    exclude.insert(exclude.end(), seeds.begin(), seeds.end());
    const auto candidates = load_candidates(index, space, vectors, {}, exclude);
    // The picks land at 1/count, 2/count ... of the way, the last one on the target.
    const double first = 1.0 / static_cast<double>(count);
    const playlist::MoodPoint start{from->valence + (target.valence - from->valence) * first,
                                    from->arousal + (target.arousal - from->arousal) * first};
    playlist::JourneyOptions options;
    options.limit = playlist::Limit{playlist::Limit::Kind::Count, count, {}};
    std::vector<fs::path> picks;
    for (const auto& row : playlist::mood_ramp(start, target, candidates, options)) picks.push_back(row.path);
    return picks;
}

std::vector<fs::path> suggest_for_the_time(db::Index& index, const config::Config& config, std::int64_t model_id,
                                           const std::vector<fs::path>& seeds, const std::set<fs::path>& excluded,
                                           std::size_t count) {
    const auto& curve = config.mpd_client.day_curve;
    if (curve.empty()) return suggest_like_recent(index, config, model_id, seeds, excluded, count);
    const auto now = local_time_of_day(std::chrono::system_clock::now());
    const playlist::MoodPoint target = day_curve_target(curve, now);
    spdlog::debug("keep playing: the day curve at {:02}:{:02} heads for valence {:.2f}, arousal {:.2f}",
                  now.count() / 60, now.count() % 60, target.valence, target.arousal);
    return suggest_towards_mood(index, config, model_id, seeds, excluded, count, target);
}

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
