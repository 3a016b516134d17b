#pragma once
// The day curve ([mpd.day_curve]): a mood for each time of day that
// keep-playing heads for. Between two points the target moves in a straight
// line across the mood plane, from one point's mood at its time to the next
// one's at its time; after the last point of the day it moves towards the
// first, across midnight. A curve of one point is that mood all day. Pure
// functions of the time given: the clock is the caller's. The application
// layer's: it reads config/'s curve and gives playlist/'s mood points.

#include <chrono>
#include <vector>

#include "config/config.hpp"
#include "playlist/similarity/radio.hpp"

namespace vibed::daemon {

// Throws config::ConfigError at the point whose mood is not a mood_point() name.
void check_day_curve(const std::vector<config::DayCurvePoint>& curve);

// Where the curve is at `time_of_day` (minutes since midnight, taken modulo a
// day). The curve must not be empty and its moods must pass check_day_curve.
playlist::MoodPoint day_curve_target(const std::vector<config::DayCurvePoint>& curve, std::chrono::minutes time_of_day);

// The local time of day of `when` (the TZ the process runs in), in minutes.
std::chrono::minutes local_time_of_day(std::chrono::system_clock::time_point when);

}  // namespace vibed::daemon
