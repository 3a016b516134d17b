// The playlists shipped in config/vibed.toml must stay valid queries: every
// one is turned into its full rule (query, sort, shuffle, limit) exactly as
// the daemon does it, and compiled to SQL.

#include <gtest/gtest.h>

#include <set>

#include "config/config.hpp"
#include "daemon/app/playlist_builder.hpp"
#include "daemon/app/playlist_rules.hpp"
#include "playlist/query/query_error.hpp"
#include "playlist/query/sql_compiler.hpp"

namespace vibed::daemon {
namespace {

TEST(DefaultPlaylists, ThereAreSomeAndTheirNamesAreUnique) {
    const auto config = config::default_config();
    ASSERT_FALSE(config.playlist_definitions.empty());
    std::set<std::string> names;
    for (const auto& definition : config.playlist_definitions) {
        EXPECT_TRUE(names.insert(definition.name).second) << "duplicate playlist " << definition.name;
    }
}

TEST(DefaultPlaylists, EveryRuleParsesAndCompiles) {
    for (const auto& definition : config::default_config().playlist_definitions) {
        SCOPED_TRACE(definition.name);
        playlist::Query query;
        try {
            query = daemon::rule_query(definition);
        } catch (const config::ConfigError& e) {
            FAIL() << e.what();
        }
        const std::string query_text = playlist::to_string(query);

        // What the configuration asks for must survive into the parsed query.
        ASSERT_TRUE(query.filter.has_value()) << query_text;
        EXPECT_EQ(query.shuffle, definition.shuffle);
        EXPECT_EQ(!query.sort.empty(), definition.sort.has_value());
        EXPECT_EQ(query.limit.has_value(), definition.limit.count || definition.limit.duration);

        util::SqlFilter filter;
        try {
            filter = playlist::compile(query);
        } catch (const playlist::QueryError& e) {
            FAIL() << "query \"" << query_text << "\" does not compile: " << e.what();
        }
        EXPECT_FALSE(filter.where_sql.empty());
        EXPECT_FALSE(filter.params.empty());
    }
}

}  // namespace
}  // namespace vibed::daemon
