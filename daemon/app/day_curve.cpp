#include "daemon/app/day_curve.hpp"

#include <ctime>
#include <stdexcept>
#include <string>

namespace vibed::daemon {

using namespace playlist;  // the configured curve becomes the engine's mood points

namespace {

constexpr std::chrono::minutes kDay{24 * 60};

MoodPoint point_of(const config::DayCurvePoint& point) {
    const auto named = mood_point(point.mood);
    if (!named) throw std::logic_error("day curve: unchecked mood " + point.mood);
    return *named;
}

}  // namespace

void check_day_curve(const std::vector<config::DayCurvePoint>& curve) {
    for (const auto& point : curve) {
        if (mood_point(point.mood)) continue;
        std::string where = point.at.file;
        if (point.at.line > 0) where += ":" + std::to_string(point.at.line) + ":" + std::to_string(point.at.column);
        throw config::ConfigError(where + ": mpd.day_curve: unknown mood '" + point.mood +
                                  "' (known: " + mood_point_names() + ")");
    }
}

MoodPoint day_curve_target(const std::vector<config::DayCurvePoint>& curve, std::chrono::minutes time_of_day) {
    if (curve.empty()) throw std::logic_error("day_curve_target: empty curve");
    const std::chrono::minutes now = ((time_of_day % kDay) + kDay) % kDay;
    // The last point at or before now (the day's last one before the first point).
    std::size_t before = curve.size() - 1;
    for (std::size_t i = 0; i < curve.size(); ++i) {
        if (curve[i].time <= now) before = i;
    }
    const std::size_t after = (before + 1) % curve.size();
    const auto span = ((curve[after].time - curve[before].time) % kDay + kDay) % kDay;
    const auto elapsed = ((now - curve[before].time) % kDay + kDay) % kDay;
    const MoodPoint from = point_of(curve[before]);
    const MoodPoint to = point_of(curve[after]);
    if (span.count() == 0) return from;  // one point: all day
    const double t = static_cast<double>(elapsed.count()) / static_cast<double>(span.count());
    return {from.valence + (to.valence - from.valence) * t, from.arousal + (to.arousal - from.arousal) * t};
}

std::chrono::minutes local_time_of_day(std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm local{};
    if (::localtime_r(&seconds, &local) == nullptr) throw std::runtime_error("local time unknown");
    return std::chrono::minutes(local.tm_hour * 60 + local.tm_min);
}

}  // namespace vibed::daemon
