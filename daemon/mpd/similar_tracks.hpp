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

}  // namespace vibed::daemon::mpd
