#include "config/day_curve_reader.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "config/table_reader.hpp"

namespace vibed::config {
namespace {

[[noreturn]] void fail_in_day_curve(const toml::source_region& region, const std::string& message) {
    fail_at(region, "mpd.day_curve: " + message);
}

}  // namespace

// Declared in config.hpp.
std::optional<std::chrono::minutes> parse_time_of_day(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3) return std::nullopt;
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c == ':' || std::isdigit(static_cast<unsigned char>(c)); })) {
        return std::nullopt;
    }
    const int hours = std::stoi(std::string(text.substr(0, colon)));
    const int minutes = std::stoi(std::string(text.substr(colon + 1)));
    if (hours > 23 || minutes > 59) return std::nullopt;
    return std::chrono::minutes(hours * 60 + minutes);
}

std::vector<DayCurvePoint> read_day_curve(const toml::table& table) {
    std::vector<DayCurvePoint> points;
    for (const auto& [key, node] : table) {
        const auto time = parse_time_of_day(key.str());
        if (!time) {
            fail_in_day_curve(key.source(), "\"" + std::string(key.str()) + "\" is not a time of day; write \"HH:MM\", e.g. \"22:00\"");
        }
        const auto* mood = node.as_string();
        if (mood == nullptr) fail_in_day_curve(node.source(), "the value of \"" + std::string(key.str()) + "\" must be a mood name");
        points.push_back({*time, mood->get(), spot_at(node.source())});
    }
    std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
    const auto twin = std::adjacent_find(points.begin(), points.end(),
                                         [](const auto& a, const auto& b) { return a.time == b.time; });
    if (twin != points.end()) {
        throw ConfigError(twin->at.file + ":" + std::to_string(twin->at.line) + ": mpd.day_curve: two points at the same time");
    }
    return points;
}

}  // namespace vibed::config
