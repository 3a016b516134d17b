// The [[playlist]] tables: the shipped defaults, how a file adds to or changes
// them, kinds, limits, and the names and aliases users pick playlists by.
#include "config/config.hpp"

#include <gtest/gtest.h>

#include "tests/config/config_fixture.hpp"

namespace vibed::config::testing {
namespace {

TEST_F(ConfigTest, ShipsTheEightDefaultPlaylists) {
    const Config config = default_config();
    std::vector<std::string> names;
    for (const auto& playlist : config.playlist_definitions) {
        names.push_back(playlist.name);
        EXPECT_FALSE(playlist.query.empty()) << playlist.name;
        EXPECT_FALSE(playlist.description.empty()) << playlist.name;
    }
    EXPECT_EQ(names, (std::vector<std::string>{"Morning Mix", "Driving Vibes", "Workout", "Focus", "Chill", "Party",
                                               "Melancholy", "Acoustic"}));
}

TEST_F(ConfigTest, AUserPlaylistIsAddedToTheDefaults) {
    const Config config = parse_config(R"(
[[playlist]]
name = "Loud"
query = "energy > 0.9"
)",
                                       "test.toml");
    ASSERT_EQ(config.playlist_definitions.size(), default_config().playlist_definitions.size() + 1);
    EXPECT_EQ(config.playlist_definitions.front().name, "Morning Mix");
    EXPECT_EQ(config.playlist_definitions.back().name, "Loud");
    EXPECT_FALSE(config.playlist_definitions.back().from_defaults);
    EXPECT_FALSE(config.playlist_definitions.back().shuffle);
}

TEST_F(ConfigTest, APlaylistNamedLikeADefaultChangesOnlyTheKeysItSets) {
    const Config config = parse_config(R"(
[[playlist]]
name = "driving vibes"
limit = "3h"
[[playlist]]
name = "Party"
enabled = false
)",
                                       "test.toml");
    const auto* driving = find_playlist(config, "driving");
    ASSERT_NE(driving, nullptr);
    EXPECT_EQ(driving->name, "driving vibes");
    EXPECT_EQ(driving->limit.duration, std::chrono::hours(3));
    EXPECT_EQ(driving->query, find_playlist(default_config(), "driving")->query);
    EXPECT_TRUE(driving->shuffle);
    EXPECT_EQ(find_playlist(config, "party"), nullptr);
    EXPECT_EQ(config.playlist_definitions.size(), default_config().playlist_definitions.size() - 1);
}

TEST_F(ConfigTest, DefaultPlaylistsCanBeSwitchedOff) {
    const Config config = parse_config(R"(
[playlists]
default_playlists = false
[[playlist]]
name = "Loud"
query = "energy > 0.9"
)",
                                       "test.toml");
    ASSERT_EQ(config.playlist_definitions.size(), 1u);
    EXPECT_EQ(config.playlist_definitions[0].name, "Loud");
    EXPECT_TRUE(parse_config("[playlists]\ndefault_playlists = false\n", "t").playlist_definitions.empty());
}

TEST_F(ConfigTest, QueryAndSortRememberWhereTheyWereWritten) {
    const Config config = parse_config("[[playlist]]\nname = \"A\"\nquery   =  \"energy > 0.5\"\nsort = 'energy desc'\n"
                                       "[[playlist]]\nname = \"B\"\nquery = \"energy > \\u0030\"\n",
                                       "test.toml");
    const auto& a = *find_playlist(config, "A");
    EXPECT_EQ(a.query_at.file, "test.toml");
    EXPECT_EQ(a.query_at.line, 3u);
    EXPECT_EQ(a.query_at.column, 13u);
    EXPECT_EQ(a.query_at.line_text, "query   =  \"energy > 0.5\"");
    EXPECT_EQ(a.sort_at.line, 4u);
    EXPECT_EQ(a.sort_at.column, 9u);
    // An escape: the value is not on the line as written.
    const auto& b = *find_playlist(config, "B");
    EXPECT_EQ(b.query_at.line, 7u);
    EXPECT_FALSE(b.query_at.line_text.has_value());
}

PlaylistLimit limit_of(std::string_view value) {
    const std::string toml = "[[playlist]]\nname = \"A\"\nquery = \"energy > 0.5\"\nlimit = " + std::string(value);
    return parse_config(toml, "t").playlist_definitions.back().limit;
}

TEST_F(ConfigTest, LimitsAreCountsOrDurations) {
    EXPECT_EQ(limit_of("50").count, 50);
    EXPECT_EQ(limit_of("\"50\"").count, 50);
    EXPECT_FALSE(limit_of("\"50\"").duration);
    EXPECT_EQ(limit_of("\"90m\"").duration, 90min);
    EXPECT_EQ(limit_of("\"2h\"").duration, 2h);
    EXPECT_EQ(limit_of("\"1h30m\"").duration, 90min);
    EXPECT_EQ(limit_of("\"45s\"").duration, 45s);
    EXPECT_FALSE(limit_of("\"45s\"").count);
    for (const char* bad : {"0", "\"0\"", "\"0m\"", "\"90x\"", "\"m\"", "\"1.5h\"", "true"}) {
        const std::string toml = "[[playlist]]\nname = \"A\"\nquery = \"energy > 0.5\"\nlimit = " + std::string(bad);
        EXPECT_TRUE(error_for(toml).starts_with("test.toml:4:9: playlist.limit: ")) << bad << ": " << error_for(toml);
    }
}

TEST_F(ConfigTest, PlaylistsNeedNameAndQuery) {
    EXPECT_EQ(error_for("[[playlist]]\nname = \"A\"\n"), "test.toml:1:1: [[playlist]] \"A\" needs a query");
    EXPECT_EQ(error_for("[[playlist]]\nquery = \"energy > 0\"\n"), "test.toml:1:1: [[playlist]] needs a name");
    EXPECT_EQ(error_for("[[playlist]]\nname = \"!!\"\nquery = \"energy > 0\"\n"),
              "test.toml:2:8: playlist.name: \"!!\" needs at least one letter or digit");
}

TEST_F(ConfigTest, PlaylistsMayBeRadiosOrJourneys) {
    const auto config = parse_config(R"toml(
[analysis]
similarity_model = "none"
[[playlist]]
name = "Noise Radio"
kind = "radio"
seed = "artist:Noisy"
query = "bpm > 100"
limit = "1h"
[[playlist]]
name = "Morning Mix"
kind = "journey"
from = "soft"
to = "bright"
limit = "45m"
)toml", "t");
    EXPECT_EQ(config.analysis.similarity_model, "none");
    const auto* radio = find_playlist(config, "noise radio");
    ASSERT_NE(radio, nullptr);
    EXPECT_EQ(radio->kind, PlaylistKind::radio);
    EXPECT_EQ(radio->seed, "artist:Noisy");
    EXPECT_EQ(radio->seed_at.line, 7u);
    EXPECT_EQ(radio->query, "bpm > 100");
    const auto* morning = find_playlist(config, "morning mix");  // the default, made a journey
    ASSERT_NE(morning, nullptr);
    EXPECT_EQ(morning->kind, PlaylistKind::journey);
    EXPECT_EQ(morning->from, "soft");
    EXPECT_EQ(morning->to, "bright");
    EXPECT_EQ(morning->limit.duration, 45min);
    EXPECT_EQ(parse_config("", "t").analysis.similarity_model, "similarity");

    EXPECT_EQ(error_for("[[playlist]]\nname = \"R\"\nkind = \"radio\"\n"),
              "test.toml:1:1: [[playlist]] \"R\" of kind \"radio\" needs seed");
    EXPECT_EQ(error_for("[[playlist]]\nname = \"J\"\nkind = \"journey\"\nfrom = \"calm\"\n"),
              "test.toml:1:1: [[playlist]] \"J\" of kind \"journey\" needs to");
    EXPECT_EQ(error_for("[[playlist]]\nname = \"R\"\nkind = \"tape\"\n"),
              "test.toml:3:8: playlist.kind: unknown kind \"tape\"; expected \"rule\", \"radio\" or \"journey\"");
    EXPECT_EQ(error_for("[[playlist]]\nname = \"R\"\nquery = \"energy > 0\"\nseed = \"energy > 0\"\n"),
              "test.toml:4:8: playlist.seed: seed is for playlists of kind \"radio\"");
    EXPECT_EQ(error_for("[[playlist]]\nname = \"R\"\nkind = \"radio\"\nseed = \"x\"\nshuffle = true\n"),
              "test.toml:5:11: playlist.shuffle: a radio chooses its own order; shuffle is for rule playlists");
    EXPECT_EQ(error_for("[analysis]\nsimilarity_model = \"bliss\"\n"),
              "test.toml:2:20: analysis.similarity_model: unknown similarity model \"bliss\"; expected "
              "\"similarity\", \"none\" or the path of a .json file");
}

TEST_F(ConfigTest, NamesAndAliasesAreUniqueCaseInsensitively) {
    EXPECT_EQ(error_for(R"([[playlist]]
name = "Driving Vibes"
query = "energy > 0.5"
[[playlist]]
name = "driving vibes"
query = "energy > 0.6"
)"),
              "test.toml:5:8: a playlist named \"driving vibes\" is already configured in this file");
    EXPECT_EQ(error_for(R"([[playlist]]
name = "Driving Vibes"
aliases = ["drive"]
query = "energy > 0.5"
[[playlist]]
name = "Road Trip"
aliases = ["road", "DRIVE"]
query = "energy > 0.6"
)"),
              "test.toml:7:20: \"DRIVE\" of playlist \"Road Trip\" is already a name or alias of playlist "
              "\"Driving Vibes\"");
    // The defaults' names and aliases are taken too.
    EXPECT_EQ(error_for("[[playlist]]\nname = \"Gym\"\nquery = \"energy > 0.5\"\n"),
              "test.toml:2:8: \"Gym\" of playlist \"Gym\" is already a name or alias of playlist \"Workout\"");
}

TEST_F(ConfigTest, SlugLowerCasesAndDashesSeparators) {
    EXPECT_EQ(slug("Driving Vibes"), "driving-vibes");
    EXPECT_EQ(slug("  Rock & Roll!! "), "rock-roll");
    EXPECT_EQ(slug("../../x"), "x");
    EXPECT_EQ(slug("Café Noir"), "café-noir");
    EXPECT_EQ(slug("***"), "");
}

TEST_F(ConfigTest, FindsPlaylistsByNameSlugOrAlias) {
    const Config config = default_config();
    for (const char* key : {"Driving Vibes", "driving vibes", "driving-vibes", "driving", "DRIVE"}) {
        const auto* found = find_playlist(config, key);
        ASSERT_NE(found, nullptr) << key;
        EXPECT_EQ(found->name, "Driving Vibes");
    }
    EXPECT_EQ(find_playlist(config, "no such playlist"), nullptr);
    EXPECT_EQ(find_playlist(config, ""), nullptr);
}

}  // namespace
}  // namespace vibed::config::testing
