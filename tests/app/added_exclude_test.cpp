// The `added` field (how long ago the index first saw a track, with day and
// week units) and [playlists] exclude, which every playlist's query carries.
#include <gtest/gtest.h>

#include <ctime>

#include "playlist/query/ast.hpp"
#include "playlist/query/parser.hpp"
#include "playlist/query/query_error.hpp"
#include "playlist/query/sql_compiler.hpp"
#include "daemon/app/playlist_rules.hpp"

namespace vibed::playlist {
namespace {

using daemon::check_rules;
using daemon::without_excluded;

core::LibraryRow row_added_days_ago(int days, std::string genre = "") {
    core::LibraryRow row;
    row.path = "/music/a.flac";
    row.tags.genre = std::move(genre);
    row.added_at = std::time(nullptr) - static_cast<std::int64_t>(days) * 86400;
    return row;
}

TEST(Added, DaysAndWeeksAreDurations) {
    const Query query = parse_query("added < 30d");
    const util::SqlFilter filter = compile(query);
    EXPECT_NE(filter.where_sql.find("added_at"), std::string::npos) << filter.where_sql;
    ASSERT_EQ(filter.params.size(), 1u);
    EXPECT_EQ(std::get<double>(filter.params[0]), 30 * 86400.0);
    EXPECT_EQ(parse_query("added < 2w").filter->condition.has_value(), true);
    EXPECT_EQ(std::get<double>(compile(parse_query("added < 2w")).params[0]), 14 * 86400.0);
    EXPECT_EQ(to_string(query), "added < 30d");
}

TEST(Added, InMemoryAgreesWithTheMeaning) {
    const Query recent = parse_query("added < 30d");
    EXPECT_TRUE(evaluate(recent, row_added_days_ago(2)));
    EXPECT_FALSE(evaluate(recent, row_added_days_ago(40)));
    EXPECT_TRUE(evaluate(parse_query("added > 30d"), row_added_days_ago(40)));
}

TEST(Added, OtherFieldsRefuseDays) {
    EXPECT_THROW(parse_query("year > 3d"), QueryError);
    EXPECT_THROW(parse_query("added < 3x"), QueryError);
}

TEST(Exclude, EveryPlaylistQueryCarriesIt) {
    const Query query = without_excluded(parse_query("energy > 0.5"), "genre:christmas");
    EXPECT_EQ(to_string(query), "energy > 0.5 and not genre:\"christmas\"");
    EXPECT_EQ(to_string(without_excluded(Query{}, "genre:christmas")), "not genre:\"christmas\"");
    EXPECT_EQ(to_string(without_excluded(parse_query("energy > 0.5"), "")), "energy > 0.5");
    EXPECT_FALSE(evaluate(without_excluded(Query{}, "genre:christmas"), row_added_days_ago(1, "Christmas Pop")));
    EXPECT_TRUE(evaluate(without_excluded(Query{}, "genre:christmas"), row_added_days_ago(1, "Pop")));
}

TEST(Exclude, ABadExclusionIsAConfigErrorAtItsPlace) {
    const auto config = config::parse_config("[playlists]\nexclude = \"genr:christmas\"\n", "x.toml");
    try {
        check_rules(config);
        FAIL() << "a bad exclusion was accepted";
    } catch (const config::ConfigError& e) {
        EXPECT_TRUE(std::string(e.what()).starts_with("x.toml:2:11: playlists.exclude: ")) << e.what();
    }
    EXPECT_THROW(check_rules(config::parse_config("[playlists]\nexclude = \"genre:x limit 3\"\n", "x.toml")),
                 config::ConfigError);
    EXPECT_NO_THROW(check_rules(config::parse_config("[playlists]\nexclude = \"genre:christmas\"\n", "x.toml")));
}

}  // namespace
}  // namespace vibed::playlist
