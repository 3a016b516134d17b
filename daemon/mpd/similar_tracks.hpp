#pragma once
// What the keep-playing mode appends: the radio of playlist/similarity
// (the one radio algorithm) started from the last tracks of MPD's queue,
// over every analysed track of the library with a similarity vector.

#include <cstdint>
#include <filesystem>
#include <set>
#include <vector>

#include "config/config.hpp"
#include "db/index.hpp"
#include "playlist/similarity/radio.hpp"

namespace vibed::daemon::mpd {

// Up to `count` tracks to follow `seeds` (oldest first), none of `excluded`
// and none of the seeds, in the similarity space `config` names. Seeds the
// index does not know, or that are not analysed or have no vector yet, are
// left out; throws std::runtime_error when none is left or similarity is off.
// Empty when every similar track is excluded. Matches QueueKeeper::Suggest.
std::vector<std::filesystem::path> suggest_like_recent(db::Index& index, const config::Config& config,
                                                       std::int64_t model_id,
                                                       const std::vector<std::filesystem::path>& seeds,
                                                       const std::set<std::filesystem::path>& excluded,
                                                       std::size_t count);

// Up to `count` tracks heading from the mood of the newest seed with moods
// to `target`, each a small step (playlist::mood_ramp), the last one on it;
// none of `excluded` or the seeds. Throws std::runtime_error when no seed has
// moods yet or similarity is off.
std::vector<std::filesystem::path> suggest_towards_mood(db::Index& index, const config::Config& config,
                                                        std::int64_t model_id,
                                                        const std::vector<std::filesystem::path>& seeds,
                                                        const std::set<std::filesystem::path>& excluded,
                                                        std::size_t count, playlist::MoodPoint target);

// What keep-playing appends: without [mpd.day_curve], suggest_like_recent;
// with it, suggest_towards_mood to where the curve is at the local time now.
// Matches QueueKeeper::Suggest.
std::vector<std::filesystem::path> suggest_for_the_time(db::Index& index, const config::Config& config,
                                                        std::int64_t model_id,
                                                        const std::vector<std::filesystem::path>& seeds,
                                                        const std::set<std::filesystem::path>& excluded,
                                                        std::size_t count);

}  // namespace vibed::daemon::mpd
