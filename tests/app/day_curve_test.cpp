// The day curve: where keep-playing heads at each time of day (the clock is
// the test's), parsed from a real config text and checked by the playlist engine.
#include "daemon/app/day_curve.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "daemon/app/playlist_rules.hpp"

namespace vibed::playlist {
namespace {

using daemon::check_rules;
using daemon::day_curve_target;
using daemon::local_time_of_day;

using namespace std::chrono_literals;

config::Config with_curve(const std::string& curve) {
    return config::parse_config("[mpd.day_curve]\n" + curve, "curve.toml");
}

const std::vector<config::DayCurvePoint>& curve_of(const config::Config& config) { return config.mpd_client.day_curve; }

void expect_at(const MoodPoint& actual, const MoodPoint& expected) {
    EXPECT_NEAR(actual.valence, expected.valence, 1e-9);
    EXPECT_NEAR(actual.arousal, expected.arousal, 1e-9);
}

TEST(DayCurve, ParsedSortedByTime) {
    const auto config = with_curve("\"22:00\" = \"calm\"\n\"08:00\" = \"bright\"\n\"14:00\" = \"steady\"\n");
    const auto& curve = curve_of(config);
    ASSERT_EQ(curve.size(), 3u);
    EXPECT_EQ(curve[0].time, 8h);
    EXPECT_EQ(curve[0].mood, "bright");
    EXPECT_EQ(curve[1].time, 14h);
    EXPECT_EQ(curve[2].time, 22h);
    EXPECT_EQ(curve[2].at.line, 2u);  // where "calm" was written, for errors
    EXPECT_NO_THROW(check_rules(config));
}

TEST(DayCurve, AtEachPointItsMoodAndBetweenAStraightLine) {
    const auto config = with_curve("\"08:00\" = \"bright\"\n\"14:00\" = \"steady\"\n\"22:00\" = \"calm\"\n");
    const auto& curve = curve_of(config);
    expect_at(day_curve_target(curve, 8h), *mood_point("bright"));
    expect_at(day_curve_target(curve, 14h), *mood_point("steady"));
    expect_at(day_curve_target(curve, 22h), *mood_point("calm"));
    // 11:00 is half way from bright (08:00) to steady (14:00).
    const MoodPoint bright = *mood_point("bright"), steady = *mood_point("steady");
    expect_at(day_curve_target(curve, 11h), {(bright.valence + steady.valence) / 2, (bright.arousal + steady.arousal) / 2});
}

TEST(DayCurve, WrapsAroundMidnight) {
    const auto config = with_curve("\"08:00\" = \"bright\"\n\"22:00\" = \"calm\"\n");
    const auto& curve = curve_of(config);
    const MoodPoint calm = *mood_point("calm"), bright = *mood_point("bright");
    // 22:00 to 08:00 is 10 hours: 03:00 is half way, 01:00 (and 25:00) 3/10 of the way.
    const auto between = [&](double t) {
        return MoodPoint{calm.valence + (bright.valence - calm.valence) * t, calm.arousal + (bright.arousal - calm.arousal) * t};
    };
    expect_at(day_curve_target(curve, 3h), between(0.5));
    expect_at(day_curve_target(curve, 1h), between(0.3));
    expect_at(day_curve_target(curve, 25h), between(0.3));
    expect_at(day_curve_target(curve, 23h), between(0.1));
}

TEST(DayCurve, OnePointIsThatMoodAllDay) {
    const auto config = with_curve("\"22:00\" = \"calm\"\n");
    for (const auto time : {0min, 22h + 0min, 12h + 30min, 23h + 59min}) {
        expect_at(day_curve_target(curve_of(config), time), *mood_point("calm"));
    }
}

TEST(DayCurve, UnknownMoodIsAConfigErrorAtItsPlace) {
    const auto config = with_curve("\"08:00\" = \"bright\"\n\"22:00\" = \"clam\"\n");
    try {
        check_rules(config);
        FAIL() << "an unknown mood was accepted";
    } catch (const config::ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("curve.toml:3:11: mpd.day_curve: unknown mood 'clam'"), std::string::npos)
            << e.what();
    }
}

TEST(DayCurve, BadTimesAreConfigErrors) {
    for (const char* key : {"\"24:00\"", "\"8\"", "\"08:60\"", "\"8:5\"", "\"noon\"", "\"-1:00\""}) {
        EXPECT_THROW(with_curve(std::string(key) + " = \"calm\"\n"), config::ConfigError) << key;
    }
    EXPECT_THROW(with_curve("\"08:00\" = 3\n"), config::ConfigError);
    EXPECT_THROW(config::parse_config("[mpd]\nday_curve = \"calm\"\n", "curve.toml"), config::ConfigError);
}

TEST(DayCurve, LocalTimeOfDayFollowsTheClockGiven) {
    const char* old = std::getenv("TZ");
    const std::string saved = old ? old : "";
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    // 2026-12-04 22:30:15 UTC.
    const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1796423415));
    EXPECT_EQ(local_time_of_day(when), 22h + 30min);
    if (old) ::setenv("TZ", saved.c_str(), 1); else ::unsetenv("TZ");
    ::tzset();
}

}  // namespace
}  // namespace vibed::playlist
