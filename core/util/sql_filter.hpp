#pragma once
// How the playlist engine hands a compiled query to the index: SQL text with
// `?` placeholders plus the values to bind, so no user text is ever SQL.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace vibed::util {

using SqlValue = std::variant<std::int64_t, double, std::string>;

// A condition on the columns of the `library` view (see db/index.hpp).
struct SqlFilter {
    std::string where_sql;     // e.g. "energy > ? AND artist LIKE ?"; empty = every track
    std::vector<SqlValue> params;  // one per `?` in where_sql, in order
    std::string order_by_sql;  // e.g. "energy DESC, path"; empty = by path
};

}  // namespace vibed::util
