#pragma once
// Hand-written recursive-descent parser for the query language described in
// docs/query-language.md.

#include <cstddef>
#include <string_view>
#include <vector>

#include "playlist/query/ast.hpp"

namespace vibed::playlist {

// Limits that keep hostile input cheap: the parser recurses only through
// `not` and parentheses, so bounding their nesting bounds the stack; SQLite
// takes time quadratic in the number of terms to plan a query (about 3 s for
// 10,000 on this kind of machine, 40 ms for 1,000).
inline constexpr std::size_t kMaxQueryBytes = 1 << 20;
inline constexpr std::size_t kMaxNesting = 16;
inline constexpr std::size_t kMaxConditions = 1'000;
inline constexpr std::size_t kMaxLimitCount = 1'000'000;
// SQLite refuses more than 2,000 ORDER BY terms only when the query runs;
// nobody sorts by more than a handful of fields.
inline constexpr std::size_t kMaxSortKeys = 64;

// Parses a whole query: an optional filter, then `sort by`, `shuffle` and
// `limit` clauses in any order. An empty query matches every track.
// Throws QueryError (with the offending byte offset) on any mistake.
Query parse_query(std::string_view text);

// The parts of a query that the configuration keeps in their own keys:
// "energy desc, artist" and "50" / "90m". Positions in errors refer to
// `text` itself. Throw QueryError.
std::vector<SortKey> parse_sort(std::string_view text);
Limit parse_limit(std::string_view text);

}  // namespace vibed::playlist
