#pragma once
// A configured playlist's rule as a query tree: the application layer
// turns config/'s PlaylistDefinition into playlist/'s Query. The query text is parsed on
// its own; `sort` is parsed on its own; shuffle and limit come straight from
// their config values. Nothing is pasted together as text, so an error
// points at the key the user wrote.

#include "config/config.hpp"
#include "playlist/query/ast.hpp"

namespace vibed::daemon {

// Throws config::ConfigError: "file:line:column: playlist "Focus": query:
// unknown field ...", followed by the line as written and a caret under the
// mistake.
playlist::Query rule_query(const config::PlaylistDefinition& definition);

// A radio playlist's seed query. Throws config::ConfigError like rule_query().
playlist::Query seed_query(const config::PlaylistDefinition& definition);

// rule_query() and the SQL compiler over every configured playlist, so that a
// bad rule stops vibed at start-up (and a reload keeps the old config)
// instead of showing up at the first playlist write; also a radio's seed query
// and a journey's mood names, and the day curve's. Throws config::ConfigError.
void check_rules(const config::Config& config);

// `query` without the tracks of `exclude` ([playlists] exclude): its filter
// AND NOT the exclusion's, as one tree. Unchanged for an empty exclusion.
// The exclusion must have passed check_rules.
playlist::Query without_excluded(playlist::Query query, const std::string& exclude);

}  // namespace vibed::daemon
