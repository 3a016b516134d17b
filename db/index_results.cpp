// Storing analysis results (Index::record_result, Index::commit_results): one
// file's tags, status, attributes, features, moods, vector and embedding
// written together by statements prepared once per batch, and only if the
// file still has the size and mtime it was analysed at.
#include <chrono>

#include "db/index.hpp"
#include "db/row_columns.hpp"

namespace vibed::db {
namespace {

constexpr std::string_view kUpsertEmbedding =
    "INSERT INTO embeddings (track_id, model_id, embedding) VALUES (?, ?, ?) "
    "ON CONFLICT (track_id, model_id) DO UPDATE SET embedding = excluded.embedding";

// Unknown tags are stored as NULL, so that `year > 2000` never matches them.
std::optional<std::string_view> unless_empty(const std::string& text) {
    if (text.empty()) return std::nullopt;
    return text;
}
template <typename Number>
std::optional<Number> unless_zero(Number value) {
    if (value == 0) return std::nullopt;
    return value;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The statements one result needs, prepared once per batch.
class ResultWriter {
public:
    explicit ResultWriter(Connection& connection)
        : update_track_(connection.prepare(
              "UPDATE tracks SET title = ?, artist = ?, album = ?, albumartist = ?, genre = ?, year = ?, "
              "track_no = ?, duration = ?, status = ?, error = ?, analyzed_at = ? "
              "WHERE path = ? AND size = ? AND mtime_ns = ? RETURNING id")),
          upsert_attributes_(connection.prepare(
              "INSERT INTO attributes (track_id, model_id, " + attribute_columns() + ") "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (track_id, model_id) DO UPDATE SET " +
              assignments(core::kAttributeNames))),
          upsert_features_(connection.prepare(
              "INSERT INTO features (track_id, extractor, " + feature_columns() + ") VALUES (?, ?" +
              placeholders(core::kFeatureCount) + ") ON CONFLICT (track_id) DO UPDATE SET extractor = excluded.extractor, " +
              assignments(core::kFeatureNames))),
          upsert_moods_(connection.prepare(kUpsertMoods)),
          delete_moods_(connection.prepare("DELETE FROM moods WHERE track_id = ? AND model_id = ?")),
          upsert_vector_(connection.prepare(kUpsertVector)),
          delete_vector_(connection.prepare("DELETE FROM vectors WHERE track_id = ? AND model_id = ?")),
          upsert_embedding_(connection.prepare(kUpsertEmbedding)),
          delete_embedding_(connection.prepare("DELETE FROM embeddings WHERE track_id = ? AND model_id = ?")) {}

    bool write(const AnalysisRecord& record, std::int64_t now) {
        const std::string error = error_of(record);
        const bool ok = error.empty();
        const auto& tags = record.tags;
        update_track_.bind_all(unless_empty(tags.title), unless_empty(tags.artist), unless_empty(tags.album),
                               unless_empty(tags.album_artist), unless_empty(tags.genre), unless_zero(tags.year),
                               unless_zero(tags.track_number), unless_zero(tags.duration_seconds),
                               to_string(ok ? TrackStatus::ok : TrackStatus::error),
                               ok ? std::nullopt : std::optional<std::string_view>(error), now,
                               record.path.string(), record.size, record.mtime_ns);
        if (!update_track_.step()) return false;  // stale: removed, renamed or changed meanwhile
        const std::int64_t track_id = update_track_.column_int64(0);
        update_track_.reset();
        if (ok) {
            const auto& a = *record.attributes;
            upsert_attributes_
                .bind_all(track_id, record.model_id, a.acousticness, a.danceability, a.energy, a.instrumentalness,
                          a.liveness, a.speechiness, a.valence)
                .run();
            write_features(track_id, record.features);
            if (record.moods) {
                write_moods(upsert_moods_, track_id, record.model_id, record.mood_model_id, *record.moods);
            } else {
                delete_moods_.bind_all(track_id, record.model_id).run();  // computed from the old attributes
            }
            if (record.vector) {
                write_vector(upsert_vector_, track_id, record.model_id, record.similarity_model_id, *record.vector);
            } else {
                delete_vector_.bind_all(track_id, record.model_id).run();
            }
            if (!record.embedding.empty()) {
                upsert_embedding_.bind_all(track_id, record.model_id, std::as_bytes(std::span(record.embedding))).run();
            } else {
                delete_embedding_.bind_all(track_id, record.model_id).run();
            }
        }
        return true;
    }

private:
    static std::string error_of(const AnalysisRecord& record) {
        if (!record.attributes) return record.error.empty() ? "analysis failed" : record.error;
        if (!valid_attributes(*record.attributes)) return "the model produced values outside [0, 1]";
        if (!valid_features(record.features)) return "the feature extractor produced a value that is not a number";
        if (record.moods && !valid_moods(*record.moods)) return "the mood model produced values outside [0, 1]";
        if (record.vector && !valid_vector(*record.vector)) return "the similarity model produced a value that is not a number";
        if (!record.embedding.empty() && !valid_vector(record.embedding)) {
            return "the model's embedding has a value that is not a number";
        }
        return "";
    }

    void write_features(std::int64_t track_id, const core::MusicalFeatures& features) {
        std::vector<SqlValue> values{track_id, std::int64_t{core::kFeatureExtractorVersion}};
        for (std::size_t i = 0; i < core::kFeatureCount; ++i) values.emplace_back(core::feature_value(features, i));
        upsert_features_.bind_values(values).run();
    }

    template <typename Names>
    static std::string assignments(const Names& names) {
        std::string text;
        for (const auto name : names) {
            if (!text.empty()) text += ", ";
            text += std::string(name) + " = excluded." + std::string(name);
        }
        return text;
    }

    static std::string placeholders(std::size_t count) {
        std::string text;
        for (std::size_t i = 0; i < count; ++i) text += ", ?";
        return text;
    }

    Statement update_track_;
    Statement upsert_attributes_;
    Statement upsert_features_;
    Statement upsert_moods_;
    Statement delete_moods_;
    Statement upsert_vector_;
    Statement delete_vector_;
    Statement upsert_embedding_;
    Statement delete_embedding_;
};

}  // namespace

bool Index::record_result(const AnalysisRecord& record) { return commit_results(std::span(&record, 1)) == 1; }

std::size_t Index::commit_results(std::span<const AnalysisRecord> records) {
    Transaction transaction(connection_);
    ResultWriter writer(connection_);
    const std::int64_t now = unix_now();
    std::size_t stored = 0;
    for (const auto& record : records) {
        if (writer.write(record, now)) ++stored;
    }
    transaction.commit();
    return stored;
}

}  // namespace vibed::db
