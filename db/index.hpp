#pragma once
// The index: what vibed knows about every file of the library, in one SQLite
// database (WAL mode, so readers are never blocked by the daemon writing).
//
// Schema (version 5; the playlist engine writes WHERE clauses against the
// `library` view's bare column names; docs/database.md has every column):
//   tracks(id, path UNIQUE, size, mtime_ns, title, artist, album, albumartist,
//          genre, year, track_no, duration, status 'pending'|'ok'|'error',
//          error, analyzed_at, added_at)   -- unknown tags are NULL
//   models(id, name, sha256 UNIQUE)
//   attributes(track_id -> tracks ON DELETE CASCADE, model_id -> models,
//              acousticness .. valence in [0, 1], PRIMARY KEY(track_id, model_id))
//   features(track_id -> tracks, extractor, bpm .. harmonic_change)  -- core::kFeatureNames
//   moods(track_id -> tracks, model_id, mood_model_id -> models, mood_valence,
//         mood_arousal, happy, tense, sad, calm, mood)
//   vectors(track_id -> tracks, model_id, similarity_model_id -> models,
//           vector BLOB of float32)    -- the similarity model's vector
//   embeddings(track_id -> tracks, model_id -> models,
//              embedding BLOB of float32)  -- the attribute model's embedding
//   VIEW library: tracks with status 'ok' joined with their attributes and,
//          where present, features and moods:
//          id, path, title, artist, album, albumartist, genre, year, track_no,
//          duration, model_id, acousticness, danceability, energy,
//          instrumentalness, liveness, speechiness, valence, bpm .. harmonic_change,
//          key_name ("A minor"), mode_name, mood_valence .. calm, mood, added_at
//
// One Index is one connection: use it from one thread at a time. The daemon
// holds the only writer; readers (vibectl) open their own Index.
// Every function throws DatabaseError (or its SqliteError) on error.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/features/musical_features.hpp"
#include "core/model/attributes.hpp"
#include "core/model/moods.hpp"
#include "core/library/library_row.hpp"
#include "core/library/vector_set.hpp"
#include "core/tags/track_tags.hpp"
#include "core/util/sql_filter.hpp"
#include "db/schema.hpp"
#include "db/sqlite/sqlite.hpp"

namespace vibed::db {

using core::LibraryRow;
using core::VectorSet;
using util::SqlFilter;
using util::SqlValue;

enum class TrackStatus { pending, ok, error };

std::string_view to_string(TrackStatus status);

// What the index remembers of a file, to decide whether it needs analysing.
struct FileState {
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    TrackStatus status = TrackStatus::pending;
    bool has_attributes = false;  // for the model asked about
    bool has_features = false;    // from the current feature extractor

    // The one "already indexed" rule: nothing is missing for this model and extractor.
    [[nodiscard]] bool analysed() const { return status == TrackStatus::ok && has_attributes && has_features; }
};

struct TrackFileState {
    std::filesystem::path path;
    FileState state;
};

// A file as the scanner saw it on disk.
struct FileVersion {
    std::filesystem::path path;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
};

// The outcome of analysing one version of one file.
struct AnalysisRecord {
    std::filesystem::path path;
    std::int64_t size = 0;      // of the version that was analysed
    std::int64_t mtime_ns = 0;  // of the version that was analysed
    core::TrackTags tags;
    std::optional<core::Attributes> attributes;  // nullopt: the analysis failed
    core::MusicalFeatures features;              // stored with the attributes
    std::optional<core::Moods> moods;            // nullopt: no mood model was loaded
    std::optional<std::vector<float>> vector;    // nullopt: no similarity model was loaded
    std::int64_t model_id = 0;
    std::int64_t mood_model_id = 0;  // with moods
    std::int64_t similarity_model_id = 0;  // with vector
    std::vector<float> embedding;  // the model's (core::ModelOutput); empty: it has none
    std::string error;  // why it failed
};

// The stored inputs of the mood and similarity models for one track, and
// what they computed from them: a new mood or similarity model recomputes
// moods or vectors without decoding any audio.
struct StoredInputs {
    std::int64_t track_id = 0;
    core::Attributes attributes;
    core::MusicalFeatures features;
};
struct MoodUpdate {
    std::int64_t track_id = 0;
    core::Moods moods;
};
struct VectorUpdate {
    std::int64_t track_id = 0;
    std::vector<float> vector;
};

struct IndexStats {
    std::int64_t total = 0;
    std::int64_t ok = 0;
    std::int64_t error = 0;
    std::int64_t pending = 0;
    std::int64_t analyzed = 0;  // ok tracks that have attributes from the model asked about
    std::int64_t with_features = 0;  // of those, with features from the current extractor
    std::int64_t with_moods = 0;     // of those, with moods
    std::int64_t with_vectors = 0;   // of those, with a vector from the similarity model asked about
};

// Everything stored about one track, for export.
struct TrackRecord {
    std::int64_t id = 0;
    std::filesystem::path path;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    core::TrackTags tags;
    TrackStatus status = TrackStatus::pending;
    std::string error;
    std::optional<std::int64_t> analyzed_at;     // Unix time, seconds
    std::optional<core::Attributes> attributes;  // from the model asked about
    std::optional<core::MusicalFeatures> features;
    std::optional<core::Moods> moods;  // from the attributes of the model asked about
    std::int64_t added_at = 0;  // when the index first saw the file, Unix seconds

    // As the library view shows it; the track must have attributes.
    [[nodiscard]] LibraryRow library_row() const {
        return {id, path, tags, *attributes, features, moods, added_at};
    }
};

class Index {
public:
    static constexpr int kSchemaVersion = schema::kVersion;

    // Opens the index for writing, creating the file (and its folder) and
    // bringing its schema up to date. Refuses a file that is not a vibed
    // index or comes from a newer vibed.
    static Index open(const std::filesystem::path& file);

    // Opens an existing, up-to-date index for reading only; works while the
    // daemon writes to it.
    static Index open_readonly(const std::filesystem::path& file);

    [[nodiscard]] const std::filesystem::path& file() const { return connection_.file(); }

    // Copies everything in the WAL into the database file and empties the
    // WAL (TRUNCATE), so the one file holds the whole index even while
    // another process keeps a connection open. Called at every clean stop.
    void checkpoint();

    // The id of the model with this sha256, registering it (or renaming it) if needed.
    std::int64_t ensure_model(std::string_view name, std::string_view sha256);
    // The id of the model with this sha256, if it was ever registered.
    std::optional<std::int64_t> find_model(std::string_view sha256);

    std::optional<FileState> file_state(const std::filesystem::path& path, std::int64_t model_id);
    // Every track, for diffing the index against the disk at start-up.
    std::vector<TrackFileState> all_file_states(std::int64_t model_id);

    // Records that a file (new or changed) waits for analysis. Call it when
    // queueing a file: results are only recorded for files the index knows.
    void upsert_pending(const std::filesystem::path& path, std::int64_t size, std::int64_t mtime_ns);
    void upsert_pending(std::span<const FileVersion> files);  // in one transaction

    // Stores an analysis result: status 'ok' with the attributes, or 'error'
    // with the error text (a failed file is not retried until it changes).
    // A result is stale, and dropped, when its path is no longer indexed
    // (removed or renamed meanwhile) or the index holds another size/mtime
    // (changed meanwhile). Attributes outside [0, 1] or NaN are recorded as
    // an error. Returns whether the result was stored.
    bool record_result(const AnalysisRecord& record);
    // Stores a batch in one transaction; returns how many were stored.
    std::size_t commit_results(std::span<const AnalysisRecord> records);

    // A file moved: its row (and analysis) follows. A row already at `to` is
    // replaced. Returns whether `from` was indexed.
    bool rename_path(const std::filesystem::path& from, const std::filesystem::path& to);
    // A folder moved: every path under from_dir moves under to_dir. Returns how many.
    std::int64_t rename_prefix(const std::filesystem::path& from_dir, const std::filesystem::path& to_dir);
    bool remove_path(const std::filesystem::path& path);
    // Removes every track under `dir`; returns how many.
    std::int64_t remove_prefix(const std::filesystem::path& dir);

    // with_vectors counts vectors of `similarity_model_id` (0: none asked about).
    IndexStats stats(std::int64_t model_id, std::int64_t similarity_model_id = 0);

    // Up to `limit` tracks with attributes of `model_id` and features whose
    // moods are missing or come from another mood model than `mood_model_id`.
    std::vector<StoredInputs> stale_moods(std::int64_t model_id, std::int64_t mood_model_id, std::size_t limit);
    // Stores moods computed by `mood_model_id` from `model_id`'s attributes, in one transaction.
    void store_moods(std::int64_t model_id, std::int64_t mood_model_id, std::span<const MoodUpdate> updates);

    // The same for similarity vectors: tracks whose vector is missing or
    // comes from another similarity model, and storing new ones. A vector
    // with a value that is not a finite number is refused (DatabaseError).
    std::vector<StoredInputs> stale_vectors(std::int64_t model_id, std::int64_t similarity_model_id, std::size_t limit);
    void store_vectors(std::int64_t model_id, std::int64_t similarity_model_id, std::span<const VectorUpdate> updates);

    // The vectors of every analysed ('ok') track, in one read. Throws
    // DatabaseError when stored vectors disagree on their length.
    VectorSet similarity_vectors(std::int64_t model_id, std::int64_t similarity_model_id);

    // The embedding `model_id` computed for the track, if it has one.
    std::optional<std::vector<float>> embedding(std::int64_t track_id, std::int64_t model_id);

    // SELECT ... FROM library WHERE model_id = ? AND (<where_sql>)
    // ORDER BY <order_by_sql, or path>, binding model_id then filter.params.
    std::vector<LibraryRow> select_library(std::int64_t model_id, const SqlFilter& filter);
    // The library rows of these tracks, in the order given (ids not in the library are skipped).
    std::vector<LibraryRow> library_rows(std::int64_t model_id, std::span<const std::int64_t> track_ids);

    std::optional<TrackRecord> find_track(const std::filesystem::path& path, std::int64_t model_id);
    // Calls `visit` for every track, ordered by path, without loading them all at once.
    void for_each_track(std::int64_t model_id, const std::function<void(const TrackRecord&)>& visit);
    std::vector<TrackRecord> all_tracks(std::int64_t model_id);

private:
    explicit Index(Connection connection) : connection_(std::move(connection)) {}

    Connection connection_;
};

}  // namespace vibed::db
