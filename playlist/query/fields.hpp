#pragma once
// The fixed set of fields a query may name. This table is also the whitelist
// of column expressions the SQL compiler may emit: nothing else becomes SQL.

#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/library/library_row.hpp"

namespace vibed::playlist {

enum class FieldKind {
    Attribute,    // a VibeNet attribute in [0, 1]
    Number,       // a numeric tag (year, duration)
    Measure,      // a musical feature (bpm, loudness, ...); unknown until the track has features
    Probability,  // a mood probability or perceived valence/arousal in [0, 1]; unknown until computed
    Text,         // a string tag or the path, or a named value (key, mode, mood)
};

// A field's value on one row: a number for Attribute and Number fields, the
// text otherwise (a view into the row). Unknown tags read as 0 or ""; unknown
// features and moods as NaN or "".
using FieldValue = std::variant<double, std::string_view>;

struct Field {
    std::string_view name;  // as written in queries
    std::string_view sql;   // expression over the `library` view
    FieldKind kind;
    bool accepts_time_unit;  // duration: `4m`, `1h`, `30s`
    // The tag reads 0 when unknown (NULL in the view); a condition on an
    // unknown value is false, so `year < 1980` skips tracks without a year.
    bool zero_is_unknown;
    double minimum;          // valid literal range for numeric fields
    double maximum;
    FieldValue (*read)(const core::LibraryRow& row);
    // Text fields with a fixed set of values (key, mode, mood): the canonical
    // spelling of a value written in a query, "" when it is not one of them.
    // nullptr for free text.
    std::string (*canonical)(std::string_view written) = nullptr;
    std::string_view values_for_humans = "";  // e.g. "major or minor", for errors
};

// Whether a field's value can be unknown on an analysed track: then a
// condition on it is false, never NULL (SQL) or NaN-compared (in memory).
[[nodiscard]] bool may_be_unknown(const Field& field);
[[nodiscard]] bool is_unknown(const Field& field, double value);
[[nodiscard]] bool is_numeric(const Field& field);

// Every queryable field, attributes first in VibeNet order.
std::span<const Field> all_fields();

// Case-insensitive lookup; nullptr when `name` is not a field.
const Field* find_field(std::string_view name);

// "acousticness, danceability, ..." for error messages.
std::string field_names_for_humans();

}  // namespace vibed::playlist
