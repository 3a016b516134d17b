// Neighbour search, radio, journeys and mood ramps over in-memory tracks
// placed by hand in a small similarity space.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>

#include "playlist/query/parser.hpp"
#include "playlist/similarity/neighbours.hpp"
#include "playlist/similarity/radio.hpp"

namespace vibed::playlist {
namespace {

SpaceTrack at(const std::string& name, std::vector<float> vector, const std::string& artist = "",
              double seconds = 200) {
    SpaceTrack track;
    track.row.path = "/music/" + name + ".flac";
    track.row.tags.artist = artist.empty() ? "Artist " + name : artist;
    track.row.tags.duration_seconds = seconds;
    track.vector = std::move(vector);
    return track;
}

// Tracks on a line, 0 .. count-1 at x = position, each by its own artist.
std::vector<SpaceTrack> line(std::size_t count) {
    std::vector<SpaceTrack> tracks;
    for (std::size_t i = 0; i < count; ++i) tracks.push_back(at(std::to_string(i), {static_cast<float>(i), 0}));
    return tracks;
}

std::vector<std::string> names(const std::vector<core::LibraryRow>& rows) {
    std::vector<std::string> found;
    for (const auto& row : rows) found.push_back(row.path.stem().string());
    return found;
}

core::VectorSet packed(const std::vector<SpaceTrack>& tracks) {
    core::VectorSet set;
    set.dimensions = tracks.front().vector.size();
    for (std::size_t i = 0; i < tracks.size(); ++i) {
        set.track_ids.push_back(static_cast<std::int64_t>(i + 1));
        set.values.insert(set.values.end(), tracks[i].vector.begin(), tracks[i].vector.end());
    }
    return set;
}

TEST(Neighbours, NearestFirstMatchesABruteForceSortAndHonoursSkip) {
    std::mt19937 random(7);
    std::normal_distribution<float> normal;
    std::vector<SpaceTrack> tracks;
    for (int i = 0; i < 500; ++i) tracks.push_back(at(std::to_string(i), {normal(random), normal(random), normal(random)}));
    const core::VectorSet set = packed(tracks);
    const std::vector<float> point{0.1f, -0.2f, 0.3f};
    std::vector<std::pair<double, std::size_t>> all;
    for (std::size_t i = 0; i < set.size(); ++i) all.emplace_back(distance(set.vector(i), point), i);
    std::sort(all.begin(), all.end());
    const auto found = nearest(set, point, 20, [](std::size_t i) { return i == 3; });
    ASSERT_EQ(found.size(), 20u);
    std::size_t k = 0;
    for (const auto& [d, i] : all) {
        if (i == 3) continue;
        if (k == found.size()) break;
        EXPECT_EQ(found[k].index, i);
        EXPECT_NEAR(found[k].distance, d, 1e-9);
        ++k;
    }
    EXPECT_EQ(nearest(set, point, 1000).size(), 500u);       // no more than there are
    EXPECT_TRUE(nearest(set, std::vector<float>{1.0f, 2.0f}, 5).empty());  // a point of another space
    EXPECT_TRUE(nearest(set, point, 0).empty());
}

TEST(Radio, StartsAtTheSeedAndStaysCloseToTheLastPicks) {
    const auto tracks = line(30);
    RadioOptions options;
    options.limit = parse_limit("6");
    const auto rows = radio({tracks[10]}, tracks, options);
    // From 10 it moves to a neighbour each time, never back to a track it played.
    ASSERT_EQ(rows.size(), 6u);
    EXPECT_EQ(names(rows)[0], "10");
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const int position = std::stoi(names(rows)[i]);
        EXPECT_LE(std::abs(position - 10), 5) << "drifted off at pick " << i;
    }
    const auto played = names(rows);
    const std::set<std::string> unique(played.begin(), played.end());
    EXPECT_EQ(unique.size(), rows.size());
    // Deterministic.
    EXPECT_EQ(names(radio({tracks[10]}, tracks, options)), names(rows));
}

TEST(Radio, KeepsAnArtistOutForTheGapWhereTheCandidatesAllowIt) {
    std::vector<SpaceTrack> tracks;
    for (int i = 0; i < 20; ++i) {
        tracks.push_back(at(std::to_string(i), {static_cast<float>(i) / 10, 0}, i % 2 == 0 ? "Twin" : "Other " + std::to_string(i)));
    }
    RadioOptions options;
    options.limit = parse_limit("10");
    options.artist_gap = 3;
    const auto rows = radio({tracks[0]}, tracks, options);
    ASSERT_EQ(rows.size(), 10u);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        for (std::size_t j = i + 1; j < rows.size() && j <= i + 3; ++j) {
            EXPECT_FALSE(rows[i].tags.artist == "Twin" && rows[j].tags.artist == "Twin") << "at " << i << " and " << j;
        }
    }
    // One artist only: the gap cannot hold, and the radio still plays.
    std::vector<SpaceTrack> solo;
    for (int i = 0; i < 5; ++i) solo.push_back(at(std::to_string(i), {static_cast<float>(i), 0}, "Solo"));
    EXPECT_EQ(radio({solo[0]}, solo, options).size(), 5u);
}

TEST(Radio, ADurationLimitIsNeverExceeded) {
    std::vector<SpaceTrack> tracks;
    for (int i = 0; i < 40; ++i) tracks.push_back(at(std::to_string(i), {static_cast<float>(i), 0}, "", 150 + 10 * (i % 7)));
    RadioOptions options;
    options.limit = parse_limit("30m");
    const auto rows = radio({tracks[5]}, tracks, options);
    double total = 0;
    for (const auto& row : rows) total += row.tags.duration_seconds;
    EXPECT_LE(total, 1800);
    EXPECT_GT(total, 1800 - 210);  // and filled as far as a track still fits
}

TEST(Radio, SeveralSeedsComeFirstAndPullThePicksBetweenThem) {
    auto tracks = line(40);
    RadioOptions options;
    options.limit = parse_limit("8");
    const auto rows = radio({tracks[5], tracks[35]}, tracks, options);
    ASSERT_EQ(rows.size(), 8u);
    EXPECT_EQ(names(rows)[0], "5");
    EXPECT_EQ(names(rows)[1], "35");
    // Without the seeds in the playlist (what just played), the picks start next to the last one.
    options.include_seeds = false;
    options.limit = parse_limit("3");
    const auto after = radio({tracks[30]}, tracks, options);
    ASSERT_EQ(after.size(), 3u);
    EXPECT_NE(names(after)[0], "30");
    EXPECT_LE(std::abs(std::stoi(names(after)[0]) - 30), 1);
}

TEST(Radio, WithNoOtherCandidateOnlyTheSeedPlays) {
    const auto tracks = line(1);
    EXPECT_EQ(names(radio({tracks[0]}, tracks, {})), std::vector<std::string>{"0"});
    EXPECT_EQ(names(radio({tracks[0]}, {}, {})), std::vector<std::string>{"0"});
    EXPECT_TRUE(radio({}, tracks, {}).empty());
}

TEST(Journey, WalksTheLineFromOneTrackToTheOther) {
    // A grid: the straight path from (0,0) to (9,0) is the row y = 0; decoys at y = 3.
    std::vector<SpaceTrack> tracks;
    for (int x = 0; x < 10; ++x) {
        tracks.push_back(at("p" + std::to_string(x), {static_cast<float>(x), 0}));
        tracks.push_back(at("d" + std::to_string(x), {static_cast<float>(x), 3}));
    }
    JourneyOptions options;
    options.limit = parse_limit("6");
    const auto rows = journey(tracks[0], tracks[18], tracks, options);
    ASSERT_EQ(rows.size(), 6u);
    EXPECT_EQ(names(rows).front(), "p0");
    EXPECT_EQ(names(rows).back(), "p9");
    float previous = 0;
    for (const auto& row : rows) {
        EXPECT_EQ(row.path.stem().string()[0], 'p') << row.path;  // on the path, not a decoy
        const float x = std::stof(row.path.stem().string().substr(1));
        EXPECT_GE(x, previous);  // always forward
        previous = x;
    }
    // A duration limit keeps the end track and stays within it.
    options.limit = parse_limit("15m");
    const auto timed = journey(tracks[0], tracks[18], tracks, options);
    EXPECT_EQ(names(timed).back(), "p9");
    EXPECT_LE(timed.size() * 200.0, 900.0);
}

core::LibraryRow& with_mood(SpaceTrack& track, double valence, double arousal) {
    core::Moods moods;
    moods.valence = static_cast<float>(valence);
    moods.arousal = static_cast<float>(arousal);
    track.row.moods = moods;
    return track.row;
}

TEST(MoodRamp, GoesFromCalmToEnergeticStepByStep) {
    std::vector<SpaceTrack> tracks;
    for (int i = 0; i <= 20; ++i) {
        const double arousal = i / 20.0;
        tracks.push_back(at("a" + std::to_string(i), {static_cast<float>(arousal), 0}));
        with_mood(tracks.back(), 0.7, arousal);
    }
    tracks.push_back(at("unknown", {0, 0}));  // no moods: never picked
    const auto calm = mood_point("calm");
    const auto energetic = mood_point("Energetic");
    ASSERT_TRUE(calm && energetic);
    JourneyOptions options;
    options.limit = parse_limit("8");
    const auto rows = mood_ramp(*calm, *energetic, tracks, options);
    ASSERT_EQ(rows.size(), 8u);
    double previous = -1;
    for (const auto& row : rows) {
        ASSERT_TRUE(row.moods.has_value()) << row.path;
        EXPECT_GE(row.moods->arousal, previous) << row.path;  // arousal only rises
        previous = row.moods->arousal;
    }
    EXPECT_LE(rows.front().moods->arousal, 0.35);
    EXPECT_GE(rows.back().moods->arousal, 0.8);
    EXPECT_FALSE(mood_point("jolly").has_value());
    EXPECT_NE(mood_point_names().find("energetic"), std::string::npos);
    // Nothing with moods: nothing to play.
    EXPECT_TRUE(mood_ramp(*calm, *energetic, {at("x", {0, 0})}, options).empty());
}

}  // namespace
}  // namespace vibed::playlist
