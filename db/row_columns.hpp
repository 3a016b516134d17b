#pragma once
// How the index's values map to SQL columns (internal to vibed_db): the
// column lists, the readers that turn a statement's columns back into core
// types, the checks a value passes before it is stored, and the upserts of
// moods and vectors. The writer (index_results.cpp), the mood and vector
// store (index_moods_vectors.cpp) and the readers (index.cpp,
// index_library.cpp) share them, so a column is named and read in one place.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/features/musical_features.hpp"
#include "core/model/attributes.hpp"
#include "core/model/moods.hpp"
#include "core/tags/track_tags.hpp"
#include "db/index.hpp"
#include "db/sqlite/sqlite.hpp"

namespace vibed::db {

// The seven attribute columns in kAttributeNames order, each prefixed.
std::string attribute_columns(std::string_view prefix = "");
// Reads kAttributeCount columns starting at `first`.
core::Attributes read_attributes(const Statement& statement, int first);

// The musical feature columns in kFeatureNames order, each prefixed.
std::string feature_columns(std::string_view prefix = "");
// Reads kFeatureCount columns starting at `first`; nullopt when they are NULL
// (a track not yet analysed by any feature extractor).
std::optional<core::MusicalFeatures> read_features(const Statement& statement, int first);

// The mood columns, in the order read_moods() expects.
inline constexpr std::string_view kMoodColumns = "mood_valence, mood_arousal, happy, tense, sad, calm";
std::optional<core::Moods> read_moods(const Statement& statement, int first);

// The tag columns, in the order read_tags() expects.
inline constexpr std::string_view kTagColumns = "title, artist, album, albumartist, genre, year, track_no, duration";
inline constexpr int kTagColumnCount = 8;
core::TrackTags read_tags(const Statement& statement, int first);

TrackStatus parse_status(std::string_view text);

// What may be stored: attributes and moods in [0, 1], features and vectors
// finite numbers (each false for NaN).
bool valid_attributes(const core::Attributes& attributes);
bool valid_features(const core::MusicalFeatures& features);
bool valid_moods(const core::Moods& moods);
bool valid_vector(std::span<const float> vector);

inline constexpr std::string_view kUpsertMoods =
    "INSERT INTO moods (track_id, model_id, mood_model_id, mood_valence, mood_arousal, happy, tense, sad, calm, mood) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (track_id, model_id) DO UPDATE SET "
    "mood_model_id = excluded.mood_model_id, mood_valence = excluded.mood_valence, "
    "mood_arousal = excluded.mood_arousal, happy = excluded.happy, tense = excluded.tense, sad = excluded.sad, "
    "calm = excluded.calm, mood = excluded.mood";
// Runs `upsert` (prepared from kUpsertMoods) for one track.
void write_moods(Statement& upsert, std::int64_t track_id, std::int64_t model_id, std::int64_t mood_model_id,
                 const core::Moods& moods);

inline constexpr std::string_view kUpsertVector =
    "INSERT INTO vectors (track_id, model_id, similarity_model_id, vector) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (track_id, model_id) DO UPDATE SET similarity_model_id = excluded.similarity_model_id, "
    "vector = excluded.vector";
// Runs `upsert` (prepared from kUpsertVector) for one track.
void write_vector(Statement& upsert, std::int64_t track_id, std::int64_t model_id, std::int64_t similarity_model_id,
                  std::span<const float> vector);

}  // namespace vibed::db
