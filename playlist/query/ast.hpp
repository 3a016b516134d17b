#pragma once
// The parsed form of a query. Pure data plus three interpretations:
// to_string() (prints it back), evaluate() (in-memory match of one row) and,
// in sql_compiler.hpp, compile() (parameterised SQL).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/library/library_row.hpp"
#include "playlist/query/fields.hpp"

namespace vibed::playlist {

// A number as written, keeping its unit so it prints back the same way.
struct Number {
    double amount = 0;
    char unit = 0;  // 0, 's', 'm' or 'h'

    [[nodiscard]] double seconds() const;  // amount scaled by the unit
    [[nodiscard]] std::string to_string() const;
};

enum class CompareOp { Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual };

// field OP number, or text field = / != string.
struct Comparison {
    const Field* field;
    CompareOp op;
    std::variant<Number, std::string> value;
};

// field:low..high, either end open, both ends inclusive.
struct Range {
    const Field* field;
    std::optional<Number> low;
    std::optional<Number> high;
};

// artist:davis (case-insensitive contains) or path ~ "*/Jazz/*" (glob).
struct TextMatch {
    enum class Kind { Contains, Glob } kind;
    const Field* field;
    std::string pattern;
};

using Condition = std::variant<Comparison, Range, TextMatch>;

// A boolean expression. And/Or are n-ary (a flat list of operands), so a
// long chain of terms is wide, not deep; nesting depth is bounded by the
// parser. Not has exactly one operand.
struct Expr {
    enum class Kind { Condition, And, Or, Not };

    Expr(Kind node_kind, std::size_t byte_offset) : kind(node_kind), position(byte_offset) {}

    Kind kind;
    std::size_t position;  // byte offset in the query, for errors
    std::optional<Condition> condition;  // Kind::Condition only
    std::vector<Expr> operands;          // And, Or, Not
};

struct SortKey {
    const Field* field;
    bool descending = false;
};

struct Limit {
    enum class Kind { Count, Duration } kind;
    std::size_t count = 0;  // Kind::Count
    Number duration;        // Kind::Duration
};

struct Query {
    std::optional<Expr> filter;  // nullopt: every track
    std::vector<SortKey> sort;
    bool shuffle = false;
    std::optional<Limit> limit;
};

// Canonical text of a query: parse(to_string(q)) prints the same again.
std::string to_string(const Expr& expr);
std::string to_string(const Query& query);

// Whether one row satisfies the filter (a query without one matches all).
bool evaluate(const Expr& expr, const core::LibraryRow& row);
bool evaluate(const Query& query, const core::LibraryRow& row);

// The top-level conditions joined by `and` (just the filter itself when it
// is not an `and`), for explaining a match one condition at a time.
std::vector<const Expr*> top_level_conditions(const Query& query);

}  // namespace vibed::playlist
