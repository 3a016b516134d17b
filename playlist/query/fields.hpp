#pragma once
// The fixed set of fields a query may name. This table is also the whitelist
// of column expressions the SQL compiler may emit: nothing else becomes SQL.

#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "db/index.hpp"

namespace vibed::playlist {

enum class FieldKind {
    Attribute,  // a model prediction in [0, 1]
    Number,     // a numeric tag (year, duration)
    Text,       // a string tag or the path
};

// A field's value on one row: a number for Attribute and Number fields, the
// text otherwise (a view into the row). Unknown tags read as 0 or "".
using FieldValue = std::variant<double, std::string_view>;

struct Field {
    std::string_view name;  // as written in queries
    std::string_view sql;   // expression over the `library` view
    FieldKind kind;
    bool accepts_time_unit;  // duration: `4m`, `1h`, `30s`
    // The tag reads 0 when unknown (NULL in the view); a condition on an
    // unknown value is false, so `year < 1980` skips tracks without a year.
    bool zero_is_unknown;
    double minimum;          // valid literal range for Attribute and Number fields
    double maximum;
    FieldValue (*read)(const db::LibraryRow& row);
};

// Every queryable field, attributes first in VibeNet order.
std::span<const Field> all_fields();

// Case-insensitive lookup; nullptr when `name` is not a field.
const Field* find_field(std::string_view name);

// "acousticness, danceability, ..." for error messages.
std::string field_names_for_humans();

}  // namespace vibed::playlist
