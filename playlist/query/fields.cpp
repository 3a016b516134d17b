#include "playlist/query/fields.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <limits>
#include <string>

#include "playlist/query/text.hpp"

namespace vibed::playlist {
namespace {

constexpr double kNoUpperBound = std::numeric_limits<double>::max();

template <float core::Attributes::*Member>
FieldValue read_attribute(const core::LibraryRow& row) {
    return static_cast<double>(row.attributes.*Member);
}

constexpr Field attribute(std::string_view name, FieldValue (*read)(const core::LibraryRow&)) {
    return {name, name, FieldKind::Attribute, false, false, 0.0, 1.0, read};
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <std::size_t Index>
FieldValue read_feature(const core::LibraryRow& row) {
    return row.features ? core::feature_value(*row.features, Index) : kNaN;
}

template <std::size_t Index>
constexpr Field measure(double minimum, double maximum) {
    return {core::kFeatureNames[Index], core::kFeatureNames[Index], FieldKind::Measure, false, false,
            minimum, maximum, read_feature<Index>};
}

constexpr std::size_t feature(std::string_view name) {
    for (std::size_t i = 0; i < core::kFeatureNames.size(); ++i) {
        if (core::kFeatureNames[i] == name) return i;
    }
    throw "not a musical feature";  // a compile-time error in a constant expression
}

template <core::Mood Which>
FieldValue read_mood_probability(const core::LibraryRow& row) {
    return row.moods ? static_cast<double>(row.moods->probability(Which)) : kNaN;
}

template <float core::Moods::*Member>
FieldValue read_mood_scale(const core::LibraryRow& row) {
    return row.moods ? static_cast<double>((*row.moods).*Member) : kNaN;
}

constexpr Field probability(std::string_view name, FieldValue (*read)(const core::LibraryRow&)) {
    return {name, name, FieldKind::Probability, false, false, 0.0, 1.0, read};
}

std::string fold_ascii_case(std::string_view text) {
    std::string lower(text);
    for (char& c : lower) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return lower;
}

// A key's name is not stored in LibraryRow, so it is built here; the view it
// is read through lives until the next read on this thread, which is enough
// for every caller (a comparison, or a copy for printing).
const std::string& key_text(const core::LibraryRow& row) {
    thread_local std::string text;
    text = row.features ? core::key_name(row.features->key, row.features->mode) : "";
    return text;
}

std::string canonical_key(std::string_view written) {
    const auto key = core::parse_key_name(written);
    return key ? core::key_name(key->first, key->second) : "";
}

std::string canonical_mode(std::string_view written) {
    const std::string lower = fold_ascii_case(written);
    return lower == "major" || lower == "minor" ? lower : "";
}

// Also accepts the other words of each quadrant's name ("angry", "relaxed", ...).
std::string canonical_mood(std::string_view written) {
    const std::string lower = fold_ascii_case(written);
    constexpr std::array<std::pair<std::string_view, core::Mood>, 8> kSynonyms = {{
        {"excited", core::Mood::happy},  {"angry", core::Mood::tense},   {"anxious", core::Mood::tense},
        {"depressed", core::Mood::sad},  {"relaxed", core::Mood::calm},  {"content", core::Mood::calm},
        {"peaceful", core::Mood::calm},  {"upbeat", core::Mood::happy},
    }};
    if (const auto mood = core::parse_mood(lower)) return std::string(core::to_string(*mood));
    for (const auto& [word, mood] : kSynonyms) {
        if (word == lower) return std::string(core::to_string(mood));
    }
    return "";
}

// Unknown text tags are NULL in the view but "" in LibraryRow; the SQL spells
// out the same default so SQL and evaluate() agree (and NOT never meets SQL's
// three-valued logic). Unknown numbers are handled by zero_is_unknown.
// How long ago the index first saw the track, in seconds: `added < 30d` is
// "added in the last 30 days". SQL and evaluate() read the clock each.
FieldValue read_added_age(const core::LibraryRow& row) {
    return static_cast<double>(std::time(nullptr) - row.added_at);
}

constexpr std::array<Field, 37> kFields = {
    attribute("acousticness", read_attribute<&core::Attributes::acousticness>),
    attribute("danceability", read_attribute<&core::Attributes::danceability>),
    attribute("energy", read_attribute<&core::Attributes::energy>),
    attribute("instrumentalness", read_attribute<&core::Attributes::instrumentalness>),
    attribute("liveness", read_attribute<&core::Attributes::liveness>),
    attribute("speechiness", read_attribute<&core::Attributes::speechiness>),
    attribute("valence", read_attribute<&core::Attributes::valence>),
    Field{"artist", "ifnull(artist, '')", FieldKind::Text, false, false, 0, 0,
          [](const core::LibraryRow& row) -> FieldValue { return std::string_view(row.tags.artist); }},
    Field{"album", "ifnull(album, '')", FieldKind::Text, false, false, 0, 0,
          [](const core::LibraryRow& row) -> FieldValue { return std::string_view(row.tags.album); }},
    Field{"albumartist", "ifnull(albumartist, '')", FieldKind::Text, false, false, 0, 0,
          [](const core::LibraryRow& row) -> FieldValue { return std::string_view(row.tags.album_artist); }},
    Field{"title", "ifnull(title, '')", FieldKind::Text, false, false, 0, 0,
          [](const core::LibraryRow& row) -> FieldValue { return std::string_view(row.tags.title); }},
    Field{"genre", "ifnull(genre, '')", FieldKind::Text, false, false, 0, 0,
          [](const core::LibraryRow& row) -> FieldValue { return std::string_view(row.tags.genre); }},
    Field{"path", "path", FieldKind::Text, false, false, 0, 0,
          [](const core::LibraryRow& row) -> FieldValue { return std::string_view(row.path.native()); }},
    Field{"year", "year", FieldKind::Number, false, true, 0, 9999,
          [](const core::LibraryRow& row) -> FieldValue { return static_cast<double>(row.tags.year); }},
    Field{"duration", "duration", FieldKind::Number, true, true, 0, kNoUpperBound,
          [](const core::LibraryRow& row) -> FieldValue { return row.tags.duration_seconds; }},
    Field{"added", "(CAST(strftime('%s', 'now') AS INTEGER) - added_at)", FieldKind::Number, true, false, 0,
          kNoUpperBound, read_added_age},
    // Musical features (core/features/musical_features.hpp); docs/features.md says what each means.
    // The features table stores 0 for "no steady beat"; SQL sees it as NULL, as evaluate() sees it as unknown.
    Field{"bpm", "nullif(bpm, 0)", FieldKind::Measure, false, true, 0, 1000, read_feature<feature("bpm")>},
    measure<feature("bpm_confidence")>(0, 1),
    measure<feature("loudness")>(-100, 20),
    measure<feature("loudness_range")>(0, 100),
    Field{"key", "ifnull(key_name, '')", FieldKind::Text, false, false, 0, 0,
          [](const core::LibraryRow& row) -> FieldValue { return std::string_view(key_text(row)); }, canonical_key,
          "a key such as \"A minor\", \"F# major\" or \"Bbm\""},
    Field{"mode", "ifnull(mode_name, '')", FieldKind::Text, false, false, 0, 0,
          [](const core::LibraryRow& row) -> FieldValue {
              return row.features ? core::to_string(row.features->mode) : std::string_view();
          },
          canonical_mode, "major or minor"},
    measure<feature("key_strength")>(0, 1),
    measure<feature("majorness")>(-1, 1),
    measure<feature("onset_rate")>(0, 1000),
    measure<feature("beat_regularity")>(0, 1),
    measure<feature("brightness")>(0, 100000),
    measure<feature("noisiness")>(0, 1),
    measure<feature("harmonic_change")>(0, 100),
    // Moods as people perceive them (core/model/moods.hpp), not VibeNet's valence.
    Field{"mood", "ifnull(mood, '')", FieldKind::Text, false, false, 0, 0,
          [](const core::LibraryRow& row) -> FieldValue {
              return row.moods ? core::to_string(row.moods->mood()) : std::string_view();
          },
          canonical_mood, "happy, tense, sad or calm"},
    probability("happy", read_mood_probability<core::Mood::happy>),
    probability("tense", read_mood_probability<core::Mood::tense>),
    probability("sad", read_mood_probability<core::Mood::sad>),
    probability("calm", read_mood_probability<core::Mood::calm>),
    probability("mood_valence", read_mood_scale<&core::Moods::valence>),
    probability("mood_arousal", read_mood_scale<&core::Moods::arousal>),
};

static_assert(std::equal(core::kAttributeNames.begin(), core::kAttributeNames.end(), kFields.begin(),
                         [](std::string_view name, const Field& field) { return field.name == name; }),
              "the first fields are the attributes, in VibeNet order");

}  // namespace

std::span<const Field> all_fields() { return kFields; }

bool may_be_unknown(const Field& field) {
    return field.zero_is_unknown || field.kind == FieldKind::Measure || field.kind == FieldKind::Probability;
}

bool is_unknown(const Field& field, double value) { return std::isnan(value) || (field.zero_is_unknown && value == 0); }

bool is_numeric(const Field& field) { return field.kind != FieldKind::Text; }

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
