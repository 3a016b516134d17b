#pragma once
// Why a track does or does not match a query, one condition at a time (for
// `vibectl explain TRACK PLAYLIST`).

#include <string>
#include <vector>

#include "core/library/library_row.hpp"
#include "playlist/query/ast.hpp"

namespace vibed::playlist {

struct ConditionCheck {
    std::string condition;  // as to_string() prints it
    std::string values;     // the track's value of each field it tests: "energy 0.82, valence 0.4"
    bool held = false;
};

// One entry per top-level condition of the filter (the operands of a
// top-level `and`, or the whole filter); empty when the query has none.
std::vector<ConditionCheck> explain(const Query& query, const core::LibraryRow& row);

// A field's value on a row as a person reads it: attributes at float
// precision, text quoted, "unknown" for a missing year or duration.
std::string describe_value(const Field& field, const core::LibraryRow& row);

}  // namespace vibed::playlist
