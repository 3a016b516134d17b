#include "playlist/query/fields.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "playlist/query/text.hpp"

namespace vibed::playlist {
namespace {

constexpr double kNoUpperBound = std::numeric_limits<double>::max();

template <float core::Attributes::*Member>
FieldValue read_attribute(const db::LibraryRow& row) {
    return static_cast<double>(row.attributes.*Member);
}

constexpr Field attribute(std::string_view name, FieldValue (*read)(const db::LibraryRow&)) {
    return {name, name, FieldKind::Attribute, false, false, 0.0, 1.0, read};
}

// Unknown text tags are NULL in the view but "" in LibraryRow; the SQL spells
// out the same default so SQL and evaluate() agree (and NOT never meets SQL's
// three-valued logic). Unknown numbers are handled by zero_is_unknown.
constexpr std::array<Field, 15> kFields = {
    attribute("acousticness", read_attribute<&core::Attributes::acousticness>),
    attribute("danceability", read_attribute<&core::Attributes::danceability>),
    attribute("energy", read_attribute<&core::Attributes::energy>),
    attribute("instrumentalness", read_attribute<&core::Attributes::instrumentalness>),
    attribute("liveness", read_attribute<&core::Attributes::liveness>),
    attribute("speechiness", read_attribute<&core::Attributes::speechiness>),
    attribute("valence", read_attribute<&core::Attributes::valence>),
    Field{"artist", "ifnull(artist, '')", FieldKind::Text, false, false, 0, 0,
          [](const db::LibraryRow& row) -> FieldValue { return std::string_view(row.tags.artist); }},
    Field{"album", "ifnull(album, '')", FieldKind::Text, false, false, 0, 0,
          [](const db::LibraryRow& row) -> FieldValue { return std::string_view(row.tags.album); }},
    Field{"albumartist", "ifnull(albumartist, '')", FieldKind::Text, false, false, 0, 0,
          [](const db::LibraryRow& row) -> FieldValue { return std::string_view(row.tags.album_artist); }},
    Field{"title", "ifnull(title, '')", FieldKind::Text, false, false, 0, 0,
          [](const db::LibraryRow& row) -> FieldValue { return std::string_view(row.tags.title); }},
    Field{"genre", "ifnull(genre, '')", FieldKind::Text, false, false, 0, 0,
          [](const db::LibraryRow& row) -> FieldValue { return std::string_view(row.tags.genre); }},
    Field{"path", "path", FieldKind::Text, false, false, 0, 0,
          [](const db::LibraryRow& row) -> FieldValue { return std::string_view(row.path.native()); }},
    Field{"year", "year", FieldKind::Number, false, true, 0, 9999,
          [](const db::LibraryRow& row) -> FieldValue { return static_cast<double>(row.tags.year); }},
    Field{"duration", "duration", FieldKind::Number, true, true, 0, kNoUpperBound,
          [](const db::LibraryRow& row) -> FieldValue { return row.tags.duration_seconds; }},
};

static_assert(std::equal(core::kAttributeNames.begin(), core::kAttributeNames.end(), kFields.begin(),
                         [](std::string_view name, const Field& field) { return field.name == name; }),
              "the first fields are the attributes, in VibeNet order");

}  // namespace

std::span<const Field> all_fields() { return kFields; }

const Field* find_field(std::string_view name) {
    for (const Field& field : kFields) {
        if (equals_ignoring_ascii_case(field.name, name)) return &field;
    }
    return nullptr;
}

std::string field_names_for_humans() {
    std::string names;
    for (const Field& field : kFields) {
        if (!names.empty()) names += ", ";
        names += field.name;
    }
    return names;
}

}  // namespace vibed::playlist
