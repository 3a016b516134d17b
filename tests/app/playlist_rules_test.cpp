// A configured playlist becomes a query tree: its query parsed on its own,
// sort parsed on its own, shuffle and limit from their values. A mistake in
// either text is a config error at the place it was written, with a caret.

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "playlist/query/ast.hpp"
#include "daemon/app/playlist_rules.hpp"

namespace vibed::playlist {
namespace {

using daemon::check_rules;
using daemon::rule_query;

std::string error_of(std::string_view toml) {
    try {
        check_rules(config::parse_config(toml, "my.toml"));
    } catch (const config::ConfigError& error) {
        return error.what();
    }
    return "";
}

TEST(Rule, SortShuffleAndLimitComeFromTheirOwnKeys) {
    const auto config = config::parse_config(R"(
[[playlist]]
name = "Loud"
query = "energy > 0.9 or artist:\"sort by\""
sort = "energy desc, artist"
shuffle = true
limit = "1h30m"
)",
                                             "my.toml");
    const Query query = rule_query(*config::find_playlist(config, "loud"));
    EXPECT_EQ(to_string(query),
              "energy > 0.9 or artist:\"sort by\" sort by energy desc, artist shuffle limit 90m");
    ASSERT_EQ(query.sort.size(), 2u);
    EXPECT_TRUE(query.sort[0].descending);
    EXPECT_TRUE(query.shuffle);
    EXPECT_NO_THROW(check_rules(config));
}

TEST(Rule, LimitsPrintInTheUnitsPeopleWrite) {
    for (const auto& [limit, text] : std::vector<std::pair<std::string, std::string>>{
             {"\"2h\"", "limit 2h"}, {"\"90m\"", "limit 90m"}, {"\"45s\"", "limit 45s"}, {"25", "limit 25"}}) {
        const auto config = config::parse_config("[[playlist]]\nname = \"A\"\nquery = \"energy > 0\"\nlimit = " + limit,
                                                 "my.toml");
        EXPECT_TRUE(to_string(rule_query(*config::find_playlist(config, "a"))).ends_with(text)) << limit;
    }
}

TEST(Rule, ATypoInTheQueryIsAnErrorAtItsPlaceWithACaret) {
    EXPECT_EQ(error_of("[[playlist]]\nname = \"Focus\"\nquery = \"energy < 0.5 and acousticnes > 0.7\"\n"),
              "my.toml:3:27: playlist \"Focus\": query: unknown field 'acousticnes'; did you mean 'acousticness'?\n"
              "  query = \"energy < 0.5 and acousticnes > 0.7\"\n"
              "                            ^");
}

TEST(Rule, ATypoInTheSortIsAnErrorAtItsPlace) {
    const std::string error = error_of("[[playlist]]\nname = \"W\"\nquery = \"energy > 0.5\"\nsort = 'energy descending'\n");
    EXPECT_TRUE(error.starts_with("my.toml:4:16: playlist \"W\": sort: ")) << error;
    EXPECT_TRUE(error.ends_with("\n  sort = 'energy descending'\n                 ^")) << error;
}

TEST(Rule, AnEscapedQueryPointsIntoTheValue) {
    const std::string error = error_of("[[playlist]]\nname = \"E\"\nquery = \"\\u0065nergy > 0.5 and x = 1\"\n");
    EXPECT_TRUE(error.starts_with("my.toml:3:9: playlist \"E\": query: unknown field 'x'")) << error;
    EXPECT_TRUE(error.ends_with("\n  energy > 0.5 and x = 1\n                   ^")) << error;
}

TEST(Rule, ClausesInsideTheQueryAreRefused) {
    const std::string error = error_of("[[playlist]]\nname = \"S\"\nquery = \"energy > 0.5 sort by energy\"\n");
    EXPECT_TRUE(error.starts_with("my.toml:3:37: playlist \"S\": query: write sort, shuffle and limit as the "
                                  "playlist's own keys"))
        << error;
}

TEST(Rule, TheBuiltInPlaylistsAreValid) { EXPECT_NO_THROW(check_rules(config::default_config())); }

}  // namespace
}  // namespace vibed::playlist

namespace vibed::playlist {
namespace {

TEST(Rule, ARadiosSeedAndAJourneysMoodsAreCheckedWithTheirPlace) {
    EXPECT_EQ(error_of("[[playlist]]\nname = \"J\"\nkind = \"journey\"\nfrom = \"calm\"\nto = \"jolly\"\n"),
              "my.toml:5:7: playlist \"J\": to: unknown mood 'jolly' (known: happy, tense, sad, calm, energetic, "
              "soft, bright, dark, steady)");
    const std::string bad_seed = error_of("[[playlist]]\nname = \"R\"\nkind = \"radio\"\nseed = \"enrgy > 1\"\n");
    EXPECT_TRUE(bad_seed.starts_with("my.toml:4:9: playlist \"R\": seed: unknown field")) << bad_seed;
    EXPECT_EQ(error_of("[[playlist]]\nname = \"J\"\nkind = \"journey\"\nfrom = \"Calm\"\nto = \"energetic\"\n"
                              "[[playlist]]\nname = \"R\"\nkind = \"radio\"\nseed = \"artist:Nina\"\nquery = \"bpm > 90\"\n"),
              "");
}

}  // namespace
}  // namespace vibed::playlist
