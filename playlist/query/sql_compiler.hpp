#pragma once
// Turns a parsed query into a WHERE/ORDER BY over the `library` view. The SQL
// text is built only from the field table's fixed column expressions, fixed
// operators and `?` placeholders; every value the user typed is a parameter.

#include <cstddef>

#include "core/util/sql_filter.hpp"
#include "playlist/query/ast.hpp"

namespace vibed::playlist {

// SQLite's compiled-in limits (Debian's build uses the defaults) and the
// margins we keep below them. kMaxSqlParentheses stays under the SQL
// parser's 100-entry stack, which each nested "... AND NOT (" uses 4 of.
inline constexpr std::size_t kSqliteMaxVariables = 32766;
inline constexpr std::size_t kMaxSqlExpressionDepth = 900;  // SQLITE_MAX_EXPR_DEPTH is 1000
inline constexpr std::size_t kMaxSqlParentheses = 20;
inline constexpr std::size_t kMaxSqlBytes = 900'000;        // SQLITE_MAX_SQL_LENGTH is 1,000,000

// Tracks without a sort clause (or shuffled) come in path order, and a sort
// ends with path so ties are broken the same way every time.
// Throws QueryError when the query would exceed one of SQLite's limits.
util::SqlFilter compile(const Query& query);

}  // namespace vibed::playlist
