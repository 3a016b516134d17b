// The column lists, readers, checks and upserts declared in db/row_columns.hpp.
#include "db/row_columns.hpp"

#include <algorithm>
#include <cmath>

namespace vibed::db {

namespace {

// "p.a, p.b, ...": the column names, each prefixed.
template <typename Names>
std::string prefixed_columns(const Names& names, std::string_view prefix) {
    std::string columns;
    for (const auto name : names) {
        if (!columns.empty()) columns += ", ";
        columns += prefix;
        columns += name;
    }
    return columns;
}

}  // namespace

std::string attribute_columns(std::string_view prefix) { return prefixed_columns(core::kAttributeNames, prefix); }

core::Attributes read_attributes(const Statement& statement, int first) {
    core::Attributes attributes;
    for (std::size_t i = 0; i < core::kAttributeCount; ++i) {
        attributes.at(i) = static_cast<float>(statement.column_double(first + static_cast<int>(i)));
    }
    return attributes;
}

std::string feature_columns(std::string_view prefix) { return prefixed_columns(core::kFeatureNames, prefix); }

std::optional<core::MusicalFeatures> read_features(const Statement& statement, int first) {
    if (statement.is_null(first)) return std::nullopt;
    core::MusicalFeatures features;
    for (std::size_t i = 0; i < core::kFeatureCount; ++i) {
        core::set_feature_value(features, i, statement.column_double(first + static_cast<int>(i)));
    }
    return features;
}

std::optional<core::Moods> read_moods(const Statement& statement, int first) {
    if (statement.is_null(first)) return std::nullopt;
    core::Moods moods;
    moods.valence = static_cast<float>(statement.column_double(first));
    moods.arousal = static_cast<float>(statement.column_double(first + 1));
    for (std::size_t i = 0; i < core::kMoodCount; ++i) {
        moods.probabilities[i] = static_cast<float>(statement.column_double(first + 2 + static_cast<int>(i)));
    }
    return moods;
}

core::TrackTags read_tags(const Statement& statement, int first) {
    core::TrackTags tags;
    tags.title = statement.column_text(first);
    tags.artist = statement.column_text(first + 1);
    tags.album = statement.column_text(first + 2);
    tags.album_artist = statement.column_text(first + 3);
    tags.genre = statement.column_text(first + 4);
    tags.year = static_cast<int>(statement.column_int64(first + 5));
    tags.track_number = static_cast<int>(statement.column_int64(first + 6));
    tags.duration_seconds = statement.column_double(first + 7);
    return tags;
}

TrackStatus parse_status(std::string_view text) {
    if (text == "ok") return TrackStatus::ok;
    if (text == "error") return TrackStatus::error;
    return TrackStatus::pending;
}

bool valid_attributes(const core::Attributes& attributes) {
    for (std::size_t i = 0; i < core::kAttributeCount; ++i) {
        const float value = attributes.at(i);
        if (!(value >= 0.0f && value <= 1.0f)) return false;  // also false for NaN
    }
    return true;
}

bool valid_features(const core::MusicalFeatures& features) {
    for (std::size_t i = 0; i < core::kFeatureCount; ++i) {
        if (!std::isfinite(core::feature_value(features, i))) return false;
    }
    return true;
}

bool valid_moods(const core::Moods& moods) {
    const auto in_unit = [](float value) { return value >= 0.0f && value <= 1.0f; };  // false for NaN
    return in_unit(moods.valence) && in_unit(moods.arousal) && std::all_of(moods.probabilities.begin(), moods.probabilities.end(), in_unit);
}

bool valid_vector(std::span<const float> vector) {
    return !vector.empty() && std::all_of(vector.begin(), vector.end(), [](float v) { return std::isfinite(v); });
}

void write_moods(Statement& upsert, std::int64_t track_id, std::int64_t model_id, std::int64_t mood_model_id,
                 const core::Moods& moods) {
    const auto& p = moods.probabilities;
    upsert
        .bind_all(track_id, model_id, mood_model_id, moods.valence, moods.arousal, p[0], p[1], p[2], p[3],
                  core::to_string(moods.mood()))
        .run();
}

void write_vector(Statement& upsert, std::int64_t track_id, std::int64_t model_id, std::int64_t similarity_model_id,
                  std::span<const float> vector) {
    upsert.bind_all(track_id, model_id, similarity_model_id, std::as_bytes(vector)).run();
}

}  // namespace vibed::db
