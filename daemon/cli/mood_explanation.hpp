#pragma once
// `vibectl explain`'s account of a track's musical features and moods: the
// mood model's prediction as a sum of per-input contributions.

#include <string>

#include "config/config.hpp"
#include "db/index.hpp"

namespace vibed::daemon {

// Prints the track's features, its moods and, for the most likely mood and
// for perceived valence and arousal, the largest contributions. Says so when
// the track has no features or moods yet, or moods are off.
void print_mood_explanation(const db::TrackRecord& track, const config::Config& config);

}  // namespace vibed::daemon
