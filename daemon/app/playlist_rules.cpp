#include "daemon/app/playlist_rules.hpp"

#include <algorithm>

#include "playlist/query/parser.hpp"
#include "playlist/query/query_error.hpp"
#include "playlist/query/sql_compiler.hpp"
#include "daemon/app/day_curve.hpp"
#include "playlist/similarity/radio.hpp"

namespace vibed::daemon {

using namespace playlist;  // this file turns configured playlists into the engine's types

namespace {

std::size_t count_characters(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(
        text.begin(), text.end(), [](char byte) { return (static_cast<unsigned char>(byte) & 0xC0) != 0x80; }));
}

// The error at `error.position()` in `value`, the string written at `spot`.
[[noreturn]] void fail_in_value(const config::PlaylistDefinition& definition, std::string_view key,
                                const config::SourceSpot& spot, std::string_view value, const QueryError& error) {
    const std::size_t position = std::min(error.position(), value.size());
    std::string where = spot.file;
    if (spot.line > 0) {
        const std::size_t column = spot.column + (spot.line_text ? count_characters(value.substr(0, position)) : 0);
        where += ":" + std::to_string(spot.line) + ":" + std::to_string(column);
    }
    std::string message = where + ": playlist \"" + definition.name + "\": " + std::string(key) + ": " + error.what();
    if (spot.line_text) {
        std::string line = *spot.line_text;
        std::replace(line.begin(), line.end(), '\t', ' ');
        const std::size_t caret = spot.column - 1 + count_characters(value.substr(0, position));
        message += "\n  " + line + "\n  " + std::string(caret, ' ') + "^";
    } else {
        // Escapes or a multi-line string: point into the value itself.
        const std::string rendered = render_query_error(value, error);  // "text\n    ^ message"
        const std::size_t newline = rendered.find('\n');
        const std::size_t caret = rendered.find('^', newline);
        message += "\n  " + rendered.substr(0, newline) + "\n  " + rendered.substr(newline + 1, caret - newline);
    }
    throw config::ConfigError(message);
}

Limit to_limit(const config::PlaylistLimit& limit) {
    if (limit.count) return Limit{Limit::Kind::Count, static_cast<std::size_t>(*limit.count), {}};
    const auto seconds = limit.duration->count();
    // Printed back as written in the usual units: 5400 s is "90m", not "5400s".
    if (seconds % 3600 == 0) return Limit{Limit::Kind::Duration, 0, Number{static_cast<double>(seconds / 3600), 'h'}};
    if (seconds % 60 == 0) return Limit{Limit::Kind::Duration, 0, Number{static_cast<double>(seconds / 60), 'm'}};
    return Limit{Limit::Kind::Duration, 0, Number{static_cast<double>(seconds), 's'}};
}

}  // namespace

Query rule_query(const config::PlaylistDefinition& definition) {
    Query query;
    try {
        query = parse_query(definition.query);
    } catch (const QueryError& error) {
        fail_in_value(definition, "query", definition.query_at, definition.query, error);
    }
    // Clauses belong in their own keys; inside `query` they would silently
    // fight with those keys.
    if (!query.sort.empty() || query.shuffle || query.limit) {
        fail_in_value(definition, "query", definition.query_at, definition.query,
                      QueryError(definition.query.size(),
                                 "write sort, shuffle and limit as the playlist's own keys, not inside its query"));
    }
    if (definition.sort) {
        try {
            query.sort = parse_sort(*definition.sort);
        } catch (const QueryError& error) {
            fail_in_value(definition, "sort", definition.sort_at, *definition.sort, error);
        }
    }
    query.shuffle = definition.shuffle;
    if (definition.limit.count || definition.limit.duration) query.limit = to_limit(definition.limit);
    return query;
}

namespace {

void check_mood_name(const config::PlaylistDefinition& definition, std::string_view key,
                     const config::SourceSpot& spot, const std::string& name) {
    if (mood_point(name)) return;
    std::string where = spot.file;
    if (spot.line > 0) where += ":" + std::to_string(spot.line) + ":" + std::to_string(spot.column);
    throw config::ConfigError(where + ": playlist \"" + definition.name + "\": " + std::string(key) +
                              ": unknown mood '" + name + "' (known: " + mood_point_names() + ")");
}

// [playlists] exclude: one condition, no clauses.
void check_exclusion(const config::PlaylistSettings& settings) {
    if (settings.exclude.empty()) return;
    std::string where = settings.exclude_at.file;
    if (settings.exclude_at.line > 0) {
        where += ":" + std::to_string(settings.exclude_at.line) + ":" + std::to_string(settings.exclude_at.column);
    }
    try {
        const Query query = parse_query(settings.exclude);
        if (!query.filter || !query.sort.empty() || query.shuffle || query.limit) {
            throw config::ConfigError(where + ": playlists.exclude: write one condition such as \"genre:christmas\" "
                                      "(no sort, shuffle or limit)");
        }
        compile(query);
    } catch (const QueryError& error) {
        throw config::ConfigError(where + ": playlists.exclude: " + error.what() + "\n" +
                                  render_query_error(settings.exclude, error));
    }
}

}  // namespace

Query seed_query(const config::PlaylistDefinition& definition) {
    try {
        return parse_query(definition.seed);
    } catch (const QueryError& error) {
        fail_in_value(definition, "seed", definition.seed_at, definition.seed, error);
    }
}

void check_rules(const config::Config& config) {
    for (const auto& definition : config.playlist_definitions) {
        const Query query = rule_query(definition);
        try {
            compile(query);
        } catch (const QueryError& error) {
            fail_in_value(definition, "query", definition.query_at, definition.query, error);
        }
        if (definition.kind == config::PlaylistKind::radio) {
            try {
                compile(seed_query(definition));
            } catch (const QueryError& error) {
                fail_in_value(definition, "seed", definition.seed_at, definition.seed, error);
            }
        }
        if (definition.kind == config::PlaylistKind::journey) {
            check_mood_name(definition, "from", definition.from_at, definition.from);
            check_mood_name(definition, "to", definition.to_at, definition.to);
        }
    }
    check_day_curve(config.mpd_client.day_curve);
    check_exclusion(config.playlists);
}

Query without_excluded(Query query, const std::string& exclude) {
    if (exclude.empty()) return query;
    Query exclusion = parse_query(exclude);
    if (!exclusion.filter) return query;  // an empty query would exclude everything: refused by check_rules
    Expr excluded(Expr::Kind::Not, 0);
    excluded.operands.push_back(std::move(*exclusion.filter));
    if (!query.filter) {
        query.filter = std::move(excluded);
        return query;
    }
    Expr both(Expr::Kind::And, query.filter->position);
    both.operands.push_back(std::move(*query.filter));
    both.operands.push_back(std::move(excluded));
    query.filter = std::move(both);
    return query;
}

}  // namespace vibed::daemon
