#pragma once
// Playlists that move through the similarity space (pure and deterministic:
// the same tracks and options always give the same playlist):
//   radio       starts at one or more seeds and keeps choosing the track
//               closest to where the last few picks are;
//   journey     walks from one track to another, each step a small move
//               along the straight line between them;
//   mood ramp   goes from one mood (perceived valence and arousal) to
//               another, each step the track closest in mood to where the
//               ramp should be by then, among those the closest to the
//               previous pick in the similarity space, so it stays smooth.
// Every one plays no track twice (by path) and keeps an artist out for
// `artist_gap` picks wherever the candidates allow it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/library/library_row.hpp"
#include "playlist/query/ast.hpp"

namespace vibed::playlist {

// A track with its place in the similarity space.
struct SpaceTrack {
    core::LibraryRow row;
    std::vector<float> vector;
};

// Without a limit: this many tracks.
inline constexpr std::size_t kDefaultRadioTracks = 40;
inline constexpr std::size_t kDefaultJourneyTracks = 12;

struct RadioOptions {
    // A count of tracks, or a duration the playlist stays within (the seeds
    // count when included). nullopt: kDefaultRadioTracks.
    std::optional<Limit> limit;
    // No artist twice within this many consecutive tracks, where the candidates allow.
    std::size_t artist_gap = 3;
    // The next pick is the track closest to a centroid of the last `memory`
    // tracks (the most recent weighing most) pulled towards the seeds.
    std::size_t memory = 3;
    // false: the seeds are only where the radio starts from (e.g. what just
    // played), not part of the playlist.
    bool include_seeds = true;
};

// The seeds (when included), then the picks. Candidates may include the
// seeds: no track comes twice. Vectors all have the seeds' length.
std::vector<core::LibraryRow> radio(const std::vector<SpaceTrack>& seeds, const std::vector<SpaceTrack>& candidates,
                                  const RadioOptions& options);

struct JourneyOptions {
    // A count (both ends included) or a duration. nullopt: kDefaultJourneyTracks.
    std::optional<Limit> limit;
    std::size_t artist_gap = 3;
};

// `from`, the steps, then `to`.
std::vector<core::LibraryRow> journey(const SpaceTrack& from, const SpaceTrack& to,
                                    const std::vector<SpaceTrack>& candidates, const JourneyOptions& options);

// A place on the mood plane: perceived valence and arousal, 0 to 1 each.
struct MoodPoint {
    double valence = 0.5;
    double arousal = 0.5;
};

// The named places a ramp can start or end at: the four moods (happy, tense,
// sad, calm) and energetic, soft, bright, dark, steady. nullopt for another name.
std::optional<MoodPoint> mood_point(std::string_view name);
// "happy, tense, ..." for error messages.
std::string mood_point_names();

// Candidates without moods are left out. Empty when none has moods.
std::vector<core::LibraryRow> mood_ramp(MoodPoint from, MoodPoint to, const std::vector<SpaceTrack>& candidates,
                                      const JourneyOptions& options);

}  // namespace vibed::playlist
