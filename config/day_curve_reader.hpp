#pragma once
// Reads [mpd.day_curve]: "HH:MM" = "mood" pairs (internal to vibed_config;
// the mood names are checked by the playlist engine).

#include <toml++/toml.h>

#include <optional>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace vibed::config {

// The points sorted by time. Throws ConfigError at the key or value that is
// not a time of day or not a string.
std::vector<DayCurvePoint> read_day_curve(const toml::table& table);

}  // namespace vibed::config
