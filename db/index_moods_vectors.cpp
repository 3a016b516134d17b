// The values derived from a track's stored inputs (moods and similarity
// vectors, recomputed without decoding when their model changes), the
// packed read of every vector for similarity search, and the embeddings.
#include <algorithm>
#include <cstring>

#include "db/index.hpp"
#include "db/row_columns.hpp"

namespace vibed::db {
namespace {

// Tracks with attributes of a model and features whose row in `table` (moods
// or vectors) is missing or comes from another model than the one asked about.
std::vector<StoredInputs> stale_inputs(Connection& connection, std::string_view table, std::string_view model_column,
                                       std::int64_t model_id, std::int64_t derived_model_id, std::size_t limit) {
    const std::string table_name(table);
    const std::string column(model_column);
    auto statement = connection.prepare(
        "SELECT a.track_id, " + attribute_columns("a.") + ", " + feature_columns("f.") +
        " FROM attributes AS a JOIN tracks AS t ON t.id = a.track_id AND t.status = 'ok' "
        "JOIN features AS f ON f.track_id = a.track_id "
        "LEFT JOIN " + table_name + " AS d ON d.track_id = a.track_id AND d.model_id = a.model_id "
        "WHERE a.model_id = ? AND (d." + column + " IS NULL OR d." + column + " != ?) LIMIT ?");
    statement.bind_all(model_id, derived_model_id, static_cast<std::int64_t>(limit));
    std::vector<StoredInputs> inputs;
    while (statement.step()) {
        inputs.push_back({statement.column_int64(0), read_attributes(statement, 1),
                          *read_features(statement, 1 + static_cast<int>(core::kAttributeCount))});
    }
    return inputs;
}

// Writes recomputed values (moods, vectors) in one transaction through the
// statement `upsert_sql`: `write` refuses a value that may not be stored
// (returns false), and the whole batch is then refused, naming the track.
template <typename Update, typename Write>
void store_checked(Connection& connection, std::string_view upsert_sql, std::span<const Update> updates,
                   std::string_view refusal, Write write) {
    Transaction transaction(connection);
    auto upsert = connection.prepare(upsert_sql);
    for (const auto& update : updates) {
        if (!write(upsert, update)) {
            throw DatabaseError(connection.file().string() + ": " + std::string(refusal) + " for track " +
                                std::to_string(update.track_id));
        }
    }
    transaction.commit();
}

}  // namespace

std::vector<StoredInputs> Index::stale_moods(std::int64_t model_id, std::int64_t mood_model_id, std::size_t limit) {
    return stale_inputs(connection_, "moods", "mood_model_id", model_id, mood_model_id, limit);
}

std::vector<StoredInputs> Index::stale_vectors(std::int64_t model_id, std::int64_t similarity_model_id,
                                               std::size_t limit) {
    return stale_inputs(connection_, "vectors", "similarity_model_id", model_id, similarity_model_id, limit);
}

void Index::store_vectors(std::int64_t model_id, std::int64_t similarity_model_id,
                          std::span<const VectorUpdate> updates) {
    store_checked(connection_, kUpsertVector, updates, "similarity model produced a value that is not a number",
                  [&](Statement& upsert, const VectorUpdate& update) {
                      if (!valid_vector(update.vector)) return false;
                      write_vector(upsert, update.track_id, model_id, similarity_model_id, update.vector);
                      return true;
                  });
}

VectorSet Index::similarity_vectors(std::int64_t model_id, std::int64_t similarity_model_id) {
    // Two cheap reads instead of one join: the few tracks that are not 'ok'
    // (through the status index), then one scan of the whole vectors table in
    // its key order (by track), the model ids compared without an index ('+'):
    // the join, or the similarity-model index, cost a lookup per vector, 155 ms
    // instead of ~20 on 100,000 tracks (docs/performance.md).
    std::vector<std::int64_t> not_ok;
    auto unavailable = connection_.prepare("SELECT id FROM tracks WHERE status IN ('pending', 'error') ORDER BY id");
    while (unavailable.step()) not_ok.push_back(unavailable.column_int64(0));
    auto statement = connection_.prepare(
        "SELECT track_id, vector FROM vectors WHERE +model_id = ? AND +similarity_model_id = ? ORDER BY track_id");
    statement.bind_all(model_id, similarity_model_id);
    VectorSet set;
    while (statement.step()) {
        if (!not_ok.empty() && std::binary_search(not_ok.begin(), not_ok.end(), statement.column_int64(0))) continue;
        const auto bytes = statement.column_blob(1);
        const std::size_t dimensions = bytes.size() / sizeof(float);
        if (set.track_ids.empty()) {
            set.dimensions = dimensions;
        } else if (dimensions != set.dimensions) {
            throw DatabaseError(file().string() + ": similarity vectors of different lengths (" +
                                std::to_string(set.dimensions) + " and " + std::to_string(dimensions) +
                                " numbers); delete the index to rebuild it");
        }
        set.track_ids.push_back(statement.column_int64(0));
        const std::size_t at = set.values.size();
        set.values.resize(at + dimensions);
        std::memcpy(set.values.data() + at, bytes.data(), dimensions * sizeof(float));
    }
    return set;
}

std::optional<std::vector<float>> Index::embedding(std::int64_t track_id, std::int64_t model_id) {
    auto statement = connection_.prepare("SELECT embedding FROM embeddings WHERE track_id = ? AND model_id = ?");
    statement.bind_all(track_id, model_id);
    if (!statement.step()) return std::nullopt;
    const auto bytes = statement.column_blob(0);
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    return values;
}

void Index::store_moods(std::int64_t model_id, std::int64_t mood_model_id, std::span<const MoodUpdate> updates) {
    store_checked(connection_, kUpsertMoods, updates, "mood model produced values outside [0, 1]",
                  [&](Statement& upsert, const MoodUpdate& update) {
                      if (!valid_moods(update.moods)) return false;
                      write_moods(upsert, update.track_id, model_id, mood_model_id, update.moods);
                      return true;
                  });
}

}  // namespace vibed::db
