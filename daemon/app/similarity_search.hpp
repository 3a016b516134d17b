#pragma once
// "More like this" over the index: the similarity space a configuration asks
// for, neighbour search, radios and journeys from seeds named by path or by
// query. Shared by vibectl (similar, radio, journey), the configured radio
// and journey playlists, and anything that keeps music going from what just
// played. Every failure is a std::runtime_error with one line that says what
// to do (a seed not in the index, not analysed yet, failed, without a vector;
// similarity turned off; a bad filter query).

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/index.hpp"
#include "playlist/similarity/radio.hpp"

namespace vibed::daemon {

// Where the vectors of one configuration live in the index.
struct SimilaritySpace {
    std::int64_t model_id = 0;             // the attribute model whose results the vectors come from
    std::int64_t similarity_model_id = 0;  // 0: the index has no vector of this similarity model yet
    std::string similarity_model;          // its name, for messages
    std::string sha256;
    // [playlists] exclude: no candidate, seed query or walk ever picks its tracks.
    std::string exclude;
};

// The similarity model `config` names, looked up in the index by its sha256
// (the file is read, not parsed). Throws when `analysis.similarity_model` is
// "none" or the file cannot be found.
SimilaritySpace find_similarity_space(db::Index& index, std::int64_t model_id, const config::Config& config);

// Every vector of the space, in one read; throws when there are none yet.
core::VectorSet load_vectors(db::Index& index, const SimilaritySpace& space);

// An indexed track as a seed: throws when it is not in the index, still
// pending, failed, or has no vector in `vectors`.
playlist::SpaceTrack seed_track(db::Index& index, const SimilaritySpace& space, const core::VectorSet& vectors,
                                const std::filesystem::path& path);

struct SimilarTrack {
    core::LibraryRow row;
    double distance = 0;  // from the seed, in the similarity space
};

// The `count` tracks nearest to the one at `path` (itself excluded), nearest first.
std::vector<SimilarTrack> similar_tracks(db::Index& index, const SimilaritySpace& space,
                                         const std::filesystem::path& path, std::size_t count);

// The track a query picks as a seed: of the tracks it matches (that have a
// vector), the one closest to their centroid, the most typical of them.
// Throws when the query is bad or matches no such track.
std::filesystem::path seed_from_query(db::Index& index, const SimilaritySpace& space, const std::string& query);

// Tracks that may be picked: those matching `where` (a query; empty: every
// track) that have a vector, minus `exclude`. Throws for a bad query.
std::vector<playlist::SpaceTrack> load_candidates(db::Index& index, const SimilaritySpace& space,
                                                  const core::VectorSet& vectors, const std::string& where,
                                                  const std::vector<std::filesystem::path>& exclude = {});

struct RadioRequest {
    std::vector<std::filesystem::path> seeds;    // absolute paths of indexed tracks, at least one
    std::string where;                           // a query every pick matches; empty: any track
    std::vector<std::filesystem::path> exclude;  // never picked (say, what played in the last hours)
    playlist::RadioOptions options;
};

// The seeds (unless options.include_seeds is false) and the picks, in play order.
std::vector<core::LibraryRow> build_radio(db::Index& index, const SimilaritySpace& space, const RadioRequest& request);

struct JourneyRequest {
    // Either two tracks ...
    std::filesystem::path from_track;
    std::filesystem::path to_track;
    // ... or two mood names (playlist::mood_point_names()); the tracks win when set.
    std::string from_mood;
    std::string to_mood;
    // Without from_mood: the journey starts at this place on the mood plane.
    std::optional<playlist::MoodPoint> from_point;
    std::string where;  // a query every step matches; empty: any track
    playlist::JourneyOptions options;
};

// Throws for an unknown mood name, bad seeds, or when nothing can be played.
std::vector<core::LibraryRow> build_journey(db::Index& index, const SimilaritySpace& space,
                                          const JourneyRequest& request);

}  // namespace vibed::daemon
