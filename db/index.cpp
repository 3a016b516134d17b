#include "db/index.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <system_error>
#include <unordered_map>

#include "core/util/path_tree.hpp"

namespace vibed::db {
namespace {

namespace fs = std::filesystem;

// The seven attribute columns in kAttributeNames order, each prefixed.
std::string attribute_columns(std::string_view prefix = "") {
    std::string columns;
    for (const auto name : core::kAttributeNames) {
        if (!columns.empty()) columns += ", ";
        columns += prefix;
        columns += name;
    }
    return columns;
}

// Reads kAttributeCount columns starting at `first`.
core::Attributes read_attributes(const Statement& statement, int first) {
    core::Attributes attributes;
    for (std::size_t i = 0; i < core::kAttributeCount; ++i) {
        attributes.at(i) = static_cast<float>(statement.column_double(first + static_cast<int>(i)));
    }
    return attributes;
}

// The musical feature columns in kFeatureNames order, each prefixed.
std::string feature_columns(std::string_view prefix = "") {
    std::string columns;
    for (const auto name : core::kFeatureNames) {
        if (!columns.empty()) columns += ", ";
        columns += prefix;
        columns += name;
    }
    return columns;
}

// Reads kFeatureCount columns starting at `first`; nullopt when they are NULL
// (a track not yet analysed by any feature extractor).
std::optional<core::MusicalFeatures> read_features(const Statement& statement, int first) {
    if (statement.is_null(first)) return std::nullopt;
    core::MusicalFeatures features;
    for (std::size_t i = 0; i < core::kFeatureCount; ++i) {
        core::set_feature_value(features, i, statement.column_double(first + static_cast<int>(i)));
    }
    return features;
}

bool valid_features(const core::MusicalFeatures& features) {
    for (std::size_t i = 0; i < core::kFeatureCount; ++i) {
        if (!std::isfinite(core::feature_value(features, i))) return false;
    }
    return true;
}

// The mood columns, in the order read_moods() expects.
constexpr std::string_view kMoodColumns = "mood_valence, mood_arousal, happy, tense, sad, calm";
constexpr int kMoodColumnCount = 6;

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

bool valid_moods(const core::Moods& moods) {
    const auto in_unit = [](float value) { return value >= 0.0f && value <= 1.0f; };  // false for NaN
    return in_unit(moods.valence) && in_unit(moods.arousal) && std::all_of(moods.probabilities.begin(), moods.probabilities.end(), in_unit);
}

bool valid_vector(std::span<const float> vector) {
    return !vector.empty() && std::all_of(vector.begin(), vector.end(), [](float v) { return std::isfinite(v); });
}

constexpr std::string_view kUpsertVector =
    "INSERT INTO vectors (track_id, model_id, similarity_model_id, vector) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (track_id, model_id) DO UPDATE SET similarity_model_id = excluded.similarity_model_id, "
    "vector = excluded.vector";

void write_vector(Statement& upsert, std::int64_t track_id, std::int64_t model_id, std::int64_t similarity_model_id,
                  std::span<const float> vector) {
    upsert.bind_all(track_id, model_id, similarity_model_id, std::as_bytes(vector)).run();
}

constexpr std::string_view kUpsertEmbedding =
    "INSERT INTO embeddings (track_id, model_id, embedding) VALUES (?, ?, ?) "
    "ON CONFLICT (track_id, model_id) DO UPDATE SET embedding = excluded.embedding";

// The tag columns, in the order read_tags() expects.
constexpr std::string_view kTagColumns = "title, artist, album, albumartist, genre, year, track_no, duration";
constexpr int kTagColumnCount = 8;

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

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The half-open range of paths under `dir`: [dir + "/", dir + "0"), since '0'
// follows '/' in byte order. Compared as bytes, it uses the path index.
struct PathRange {
    std::string lower;
    std::string upper;
};

PathRange paths_under(const fs::path& dir) {
    std::string base = dir.string();
    while (base.size() > 1 && base.ends_with('/')) base.pop_back();
    return {base + "/", base + "0"};
}

void create_parent_folder(const fs::path& file) {
    if (!file.has_parent_path()) return;
    std::error_code error;
    fs::create_directories(file.parent_path(), error);
    if (error) {
        throw DatabaseError(file.string() + ": cannot create the folder " + file.parent_path().string() + ": " +
                            error.message());
    }
}

void configure_writer(Connection& connection) {
    // WAL: readers (vibectl, playlist writers) never wait for the daemon.
    auto journal = connection.prepare("PRAGMA journal_mode = WAL");
    if (!journal.step() || journal.column_text(0) != "wal") {
        throw DatabaseError(connection.file().string() + ": cannot switch the database to WAL mode "
                                                         "(is it on a network file system?)");
    }
    // NORMAL in WAL mode: a power cut may lose the last commits but never
    // corrupts the database; an application crash loses nothing.
    connection.execute("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
}

}  // namespace

std::string_view to_string(TrackStatus status) {
    switch (status) {
        case TrackStatus::pending: return "pending";
        case TrackStatus::ok: return "ok";
        case TrackStatus::error: return "error";
    }
    return "pending";
}

Index Index::open(const fs::path& file) {
    create_parent_folder(file);
    Connection connection = Connection::open(file, Connection::Mode::read_write_create);
    configure_writer(connection);
    schema::migrate(connection);
    return Index(std::move(connection));
}

Index Index::open_readonly(const fs::path& file) {
    std::error_code error;
    if (!fs::exists(file, error)) {
        throw DatabaseError(file.string() + ": no index here (has vibed run with this database yet?)");
    }
    Connection connection = Connection::open(file, Connection::Mode::read_only);
    schema::require_current(connection);
    return Index(std::move(connection));
}

void Index::checkpoint() {
    // One row: busy, WAL frames, frames checkpointed; busy = 1 when a reader
    // kept SQLite from finishing (the WAL is then left for the next time).
    auto statement = connection_.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
    if (statement.step() && statement.column_int64(0) != 0) {
        throw DatabaseError(file().string() + ": cannot checkpoint the WAL: another connection is reading");
    }
}

std::int64_t Index::ensure_model(std::string_view name, std::string_view sha256) {
    auto statement = connection_.prepare(
        "INSERT INTO models (name, sha256) VALUES (?, ?) "
        "ON CONFLICT (sha256) DO UPDATE SET name = excluded.name RETURNING id");
    statement.bind_all(name, sha256);
    if (!statement.step()) throw DatabaseError(file().string() + ": registering model " + std::string(name) + " failed");
    return statement.column_int64(0);
}

std::optional<std::int64_t> Index::find_model(std::string_view sha256) {
    auto statement = connection_.prepare("SELECT id FROM models WHERE sha256 = ?");
    statement.bind_all(sha256);
    if (!statement.step()) return std::nullopt;
    return statement.column_int64(0);
}

namespace {

const std::string kFileStateSelect =
    "SELECT t.path, t.size, t.mtime_ns, t.status, a.track_id IS NOT NULL, "
    "ifnull(f.extractor = " + std::to_string(core::kFeatureExtractorVersion) + ", 0) "
    "FROM tracks AS t LEFT JOIN attributes AS a ON a.track_id = t.id AND a.model_id = ? "
    "LEFT JOIN features AS f ON f.track_id = t.id";

TrackFileState read_file_state(const Statement& statement) {
    return {statement.column_text(0),
            {statement.column_int64(1), statement.column_int64(2), parse_status(statement.column_text(3)),
             statement.column_int64(4) != 0, statement.column_int64(5) != 0}};
}

}  // namespace

std::optional<FileState> Index::file_state(const fs::path& path, std::int64_t model_id) {
    auto statement = connection_.prepare(kFileStateSelect + " WHERE t.path = ?");
    statement.bind_all(model_id, path.string());
    if (!statement.step()) return std::nullopt;
    return read_file_state(statement).state;
}

std::vector<TrackFileState> Index::all_file_states(std::int64_t model_id) {
    auto statement = connection_.prepare(kFileStateSelect);
    statement.bind_all(model_id);
    std::vector<TrackFileState> states;
    while (statement.step()) states.push_back(read_file_state(statement));
    return states;
}

namespace {

constexpr std::string_view kUpsertPending =
    "INSERT INTO tracks (path, size, mtime_ns, status, added_at) "
    "VALUES (?, ?, ?, 'pending', CAST(strftime('%s', 'now') AS INTEGER)) "
    "ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
    "status = 'pending', error = NULL";

}  // namespace

void Index::upsert_pending(const fs::path& path, std::int64_t size, std::int64_t mtime_ns) {
    const FileVersion file{path, size, mtime_ns};
    upsert_pending(std::span(&file, 1));
}

void Index::upsert_pending(std::span<const FileVersion> files) {
    Transaction transaction(connection_);
    auto upsert = connection_.prepare(kUpsertPending);
    for (const auto& file : files) upsert.bind_all(file.path.string(), file.size, file.mtime_ns).run();
    transaction.commit();
}

namespace {

constexpr std::string_view kUpsertMoods =
    "INSERT INTO moods (track_id, model_id, mood_model_id, mood_valence, mood_arousal, happy, tense, sad, calm, mood) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (track_id, model_id) DO UPDATE SET "
    "mood_model_id = excluded.mood_model_id, mood_valence = excluded.mood_valence, "
    "mood_arousal = excluded.mood_arousal, happy = excluded.happy, tense = excluded.tense, sad = excluded.sad, "
    "calm = excluded.calm, mood = excluded.mood";

void write_moods(Statement& upsert, std::int64_t track_id, std::int64_t model_id, std::int64_t mood_model_id,
                 const core::Moods& moods) {
    const auto& p = moods.probabilities;
    upsert
        .bind_all(track_id, model_id, mood_model_id, moods.valence, moods.arousal, p[0], p[1], p[2], p[3],
                  core::to_string(moods.mood()))
        .run();
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

bool Index::rename_path(const fs::path& from, const fs::path& to) {
    Transaction transaction(connection_);
    auto exists = connection_.prepare("SELECT 1 FROM tracks WHERE path = ?");
    if (!exists.bind_all(from.string()).step()) return false;
    exists.reset();
    if (from == to) return true;
    // mv over an existing file replaces it; so does its row.
    connection_.prepare("DELETE FROM tracks WHERE path = ?").bind_all(to.string()).run();
    connection_.prepare("UPDATE tracks SET path = ? WHERE path = ?").bind_all(to.string(), from.string()).run();
    transaction.commit();
    return true;
}

std::int64_t Index::rename_prefix(const fs::path& from_dir, const fs::path& to_dir) {
    if (util::is_at_or_under(to_dir, from_dir) || util::is_at_or_under(from_dir, to_dir)) {
        throw DatabaseError(file().string() + ": cannot move " + from_dir.string() + " to " + to_dir.string() +
                            ": one contains the other");
    }
    const PathRange from = paths_under(from_dir);
    const PathRange to = paths_under(to_dir);
    Transaction transaction(connection_);
    connection_.prepare("DELETE FROM tracks WHERE path >= ? AND path < ?").bind_all(to.lower, to.upper).run();
    // Byte-wise substr (via BLOB) so that any file name bytes survive intact.
    connection_
        .prepare("UPDATE tracks SET path = ? || CAST(substr(CAST(path AS BLOB), ?) AS TEXT) "
                 "WHERE path >= ? AND path < ?")
        .bind_all(to.lower, from.lower.size() + 1, from.lower, from.upper)
        .run();
    const std::int64_t moved = connection_.changes();
    transaction.commit();
    return moved;
}

bool Index::remove_path(const fs::path& path) {
    connection_.prepare("DELETE FROM tracks WHERE path = ?").bind_all(path.string()).run();
    return connection_.changes() > 0;
}

std::int64_t Index::remove_prefix(const fs::path& dir) {
    const PathRange range = paths_under(dir);
    connection_.prepare("DELETE FROM tracks WHERE path >= ? AND path < ?").bind_all(range.lower, range.upper).run();
    return connection_.changes();
}

IndexStats Index::stats(std::int64_t model_id, std::int64_t similarity_model_id) {
    auto statement = connection_.prepare(
        std::string("SELECT count(*), total(status = 'ok'), total(status = 'error'), total(status = 'pending'), "
                    "(SELECT count(*) FROM library WHERE model_id = ?), ") +
        "(SELECT count(*) FROM library AS l JOIN features AS f ON f.track_id = l.id WHERE l.model_id = ? AND f.extractor = " +
        std::to_string(core::kFeatureExtractorVersion) + "), "
        "(SELECT count(*) FROM library WHERE model_id = ? AND mood IS NOT NULL), "
        "(SELECT count(*) FROM vectors AS v JOIN tracks AS t ON t.id = v.track_id AND t.status = 'ok' "
        " WHERE v.model_id = ? AND v.similarity_model_id = ?) FROM tracks");
    statement.bind_all(model_id, model_id, model_id, model_id, similarity_model_id);
    statement.step();
    return {statement.column_int64(0), statement.column_int64(1), statement.column_int64(2),
            statement.column_int64(3), statement.column_int64(4), statement.column_int64(5),
            statement.column_int64(6), statement.column_int64(7)};
}

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
    Transaction transaction(connection_);
    auto upsert = connection_.prepare(kUpsertVector);
    for (const auto& update : updates) {
        if (!valid_vector(update.vector)) {
            throw DatabaseError(file().string() + ": similarity model produced a value that is not a number for track " +
                                std::to_string(update.track_id));
        }
        write_vector(upsert, update.track_id, model_id, similarity_model_id, update.vector);
    }
    transaction.commit();
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
    Transaction transaction(connection_);
    auto upsert = connection_.prepare(kUpsertMoods);
    for (const auto& update : updates) {
        if (!valid_moods(update.moods)) {
            throw DatabaseError(file().string() + ": mood model produced values outside [0, 1] for track " +
                                std::to_string(update.track_id));
        }
        write_moods(upsert, update.track_id, model_id, mood_model_id, update.moods);
    }
    transaction.commit();
}

std::vector<LibraryRow> Index::select_library(std::int64_t model_id, const SqlFilter& filter) {
    std::string sql = "SELECT id, path, ifnull(added_at, 0), " + std::string(kTagColumns) + ", " + attribute_columns() + ", " +
                      feature_columns() + ", " + std::string(kMoodColumns) + " FROM library WHERE model_id = ?";
    if (!filter.where_sql.empty()) sql += " AND (" + filter.where_sql + ")";
    sql += " ORDER BY " + (filter.order_by_sql.empty() ? std::string("path") : filter.order_by_sql);

    std::vector<SqlValue> values{model_id};
    values.insert(values.end(), filter.params.begin(), filter.params.end());
    auto statement = connection_.prepare(sql);
    statement.bind_values(values);

    std::vector<LibraryRow> rows;
    while (statement.step()) {
        constexpr int kAttributesAt = 3 + kTagColumnCount;
        constexpr int kFeaturesAt = kAttributesAt + static_cast<int>(core::kAttributeCount);
        constexpr int kMoodsAt = kFeaturesAt + static_cast<int>(core::kFeatureCount);
        rows.push_back({statement.column_int64(0), statement.column_text(1), read_tags(statement, 3),
                        read_attributes(statement, kAttributesAt), read_features(statement, kFeaturesAt),
                        read_moods(statement, kMoodsAt), statement.column_int64(2)});
    }
    return rows;
}

std::vector<LibraryRow> Index::library_rows(std::int64_t model_id, std::span<const std::int64_t> track_ids) {
    std::vector<LibraryRow> ordered;
    // Bounded batches: SQLite allows 32,766 parameters per statement.
    constexpr std::size_t kBatch = 500;
    for (std::size_t first = 0; first < track_ids.size(); first += kBatch) {
        const auto batch = track_ids.subspan(first, std::min(kBatch, track_ids.size() - first));
        SqlFilter filter;
        filter.where_sql = "id IN (";
        for (std::size_t i = 0; i < batch.size(); ++i) {
            filter.where_sql += i == 0 ? "?" : ", ?";
            filter.params.emplace_back(batch[i]);
        }
        filter.where_sql += ")";
        auto rows = select_library(model_id, filter);
        std::unordered_map<std::int64_t, std::size_t> position;
        for (std::size_t i = 0; i < rows.size(); ++i) position.emplace(rows[i].id, i);
        for (const std::int64_t id : batch) {
            if (const auto found = position.find(id); found != position.end()) ordered.push_back(rows[found->second]);
        }
    }
    return ordered;
}

namespace {

std::string track_select() {
    return "SELECT t.id, t.path, t.size, t.mtime_ns, t.status, t.error, t.analyzed_at, ifnull(t.added_at, 0), " +
           std::string(kTagColumns) +
           ", a.track_id IS NOT NULL, " + attribute_columns("a.") + ", " + feature_columns("f.") + ", " +
           std::string(kMoodColumns) +
           " FROM tracks AS t LEFT JOIN attributes AS a ON a.track_id = t.id AND a.model_id = ?"
           " LEFT JOIN features AS f ON f.track_id = t.id"
           " LEFT JOIN moods AS m ON m.track_id = t.id AND m.model_id = a.model_id";
}

TrackRecord read_track(const Statement& statement) {
    constexpr int kTagsAt = 8;
    constexpr int kHasAttributesAt = kTagsAt + kTagColumnCount;
    TrackRecord track;
    track.id = statement.column_int64(0);
    track.path = statement.column_text(1);
    track.size = statement.column_int64(2);
    track.mtime_ns = statement.column_int64(3);
    track.status = parse_status(statement.column_text(4));
    track.error = statement.column_text(5);
    if (!statement.is_null(6)) track.analyzed_at = statement.column_int64(6);
    track.added_at = statement.column_int64(7);
    track.tags = read_tags(statement, kTagsAt);
    constexpr int kFeaturesAt = kHasAttributesAt + 1 + static_cast<int>(core::kAttributeCount);
    constexpr int kMoodsAt = kFeaturesAt + static_cast<int>(core::kFeatureCount);
    if (statement.column_int64(kHasAttributesAt) != 0) {
        track.attributes = read_attributes(statement, kHasAttributesAt + 1);
        track.moods = read_moods(statement, kMoodsAt);
    }
    track.features = read_features(statement, kFeaturesAt);
    return track;
}

}  // namespace

std::optional<TrackRecord> Index::find_track(const fs::path& path, std::int64_t model_id) {
    auto statement = connection_.prepare(track_select() + " WHERE t.path = ?");
    statement.bind_all(model_id, path.string());
    if (!statement.step()) return std::nullopt;
    return read_track(statement);
}

void Index::for_each_track(std::int64_t model_id, const std::function<void(const TrackRecord&)>& visit) {
    auto statement = connection_.prepare(track_select() + " ORDER BY t.path");
    statement.bind_all(model_id);
    while (statement.step()) visit(read_track(statement));
}

std::vector<TrackRecord> Index::all_tracks(std::int64_t model_id) {
    std::vector<TrackRecord> tracks;
    for_each_track(model_id, [&](const TrackRecord& track) { tracks.push_back(track); });
    return tracks;
}

}  // namespace vibed::db
