// explain(): each top-level condition with the track's values and verdict.

#include <gtest/gtest.h>

#include "playlist/query/explain.hpp"
#include "playlist/query/parser.hpp"

namespace vibed::playlist {
namespace {

core::LibraryRow sample() {
    core::LibraryRow row;
    row.path = "/music/Björk/Jóga.flac";
    row.tags.artist = "Björk";
    row.attributes.energy = 0.82f;
    row.attributes.valence = 0.4f;
    return row;
}

TEST(Explain, OneCheckPerTopLevelCondition) {
    const auto checks = explain(parse_query("energy > 0.7 and valence > 0.6 and (artist:bjö or year < 1990) "
                                            "sort by energy"),
                                sample());
    ASSERT_EQ(checks.size(), 3u);
    EXPECT_EQ(checks[0].condition, "energy > 0.7");
    EXPECT_EQ(checks[0].values, "energy 0.82");
    EXPECT_TRUE(checks[0].held);
    EXPECT_EQ(checks[1].condition, "valence > 0.6");
    EXPECT_EQ(checks[1].values, "valence 0.4");
    EXPECT_FALSE(checks[1].held);
    EXPECT_EQ(checks[2].condition, "artist:\"bjö\" or year < 1990");
    EXPECT_EQ(checks[2].values, "artist \"Björk\", year unknown");
    EXPECT_TRUE(checks[2].held);
}

TEST(Explain, ASingleConditionOrNone) {
    EXPECT_EQ(explain(parse_query("not energy > 0.5"), sample()).size(), 1u);
    EXPECT_FALSE(explain(parse_query("not energy > 0.5"), sample())[0].held);
    EXPECT_TRUE(explain(parse_query("shuffle"), sample()).empty());
}

}  // namespace
}  // namespace vibed::playlist
