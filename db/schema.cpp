#include "db/schema.hpp"

#include <array>
#include <string>
#include <string_view>

namespace vibed::db::schema {
namespace {

// Marks the file as a vibed index ("vibd") for `file(1)` and for us.
constexpr std::int64_t kApplicationId = 0x76696264;

// kMigrations[v] takes the schema from version v to v + 1. A migration that
// has shipped never changes: databases in the wild were built with it.
constexpr std::array<std::string_view, kVersion> kMigrations = {
    // 0 -> 1: tracks, models, attributes and the library view.
    R"sql(
CREATE TABLE tracks (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL UNIQUE,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    title       TEXT,
    artist      TEXT,
    album       TEXT,
    albumartist TEXT,
    genre       TEXT,
    year        INTEGER,
    track_no    INTEGER,
    duration    REAL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'ok', 'error')),
    error       TEXT,
    analyzed_at INTEGER
);
CREATE INDEX tracks_by_status ON tracks(status);

CREATE TABLE models (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE
);

CREATE TABLE attributes (
    track_id         INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    model_id         INTEGER NOT NULL REFERENCES models(id),
    acousticness     REAL NOT NULL CHECK (acousticness BETWEEN 0 AND 1),
    danceability     REAL NOT NULL CHECK (danceability BETWEEN 0 AND 1),
    energy           REAL NOT NULL CHECK (energy BETWEEN 0 AND 1),
    instrumentalness REAL NOT NULL CHECK (instrumentalness BETWEEN 0 AND 1),
    liveness         REAL NOT NULL CHECK (liveness BETWEEN 0 AND 1),
    speechiness      REAL NOT NULL CHECK (speechiness BETWEEN 0 AND 1),
    valence          REAL NOT NULL CHECK (valence BETWEEN 0 AND 1),
    PRIMARY KEY (track_id, model_id)
) WITHOUT ROWID;
CREATE INDEX attributes_by_model ON attributes(model_id);

CREATE VIEW library AS
SELECT t.id, t.path, t.title, t.artist, t.album, t.albumartist, t.genre, t.year,
       t.track_no, t.duration, a.model_id, a.acousticness, a.danceability, a.energy,
       a.instrumentalness, a.liveness, a.speechiness, a.valence
FROM tracks AS t JOIN attributes AS a ON a.track_id = t.id
WHERE t.status = 'ok';
)sql",
    // 1 -> 2: interpretable musical features and moods. Existing tracks keep
    // their attributes and get features by being analysed again in the
    // background (the features need the audio); the library view lists them
    // meanwhile, with NULL features and moods.
    R"sql(
CREATE TABLE features (
    track_id        INTEGER PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
    extractor       INTEGER NOT NULL,
    bpm             REAL NOT NULL,
    bpm_confidence  REAL NOT NULL,
    loudness        REAL NOT NULL,
    loudness_range  REAL NOT NULL,
    key             INTEGER NOT NULL CHECK (key BETWEEN -1 AND 11),
    mode            INTEGER NOT NULL CHECK (mode IN (0, 1, 2)),
    key_strength    REAL NOT NULL,
    majorness       REAL NOT NULL,
    onset_rate      REAL NOT NULL,
    beat_regularity REAL NOT NULL,
    brightness      REAL NOT NULL,
    noisiness       REAL NOT NULL,
    harmonic_change REAL NOT NULL
);

CREATE TABLE moods (
    track_id      INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    model_id      INTEGER NOT NULL REFERENCES models(id),
    mood_model_id INTEGER NOT NULL REFERENCES models(id),
    mood_valence  REAL NOT NULL CHECK (mood_valence BETWEEN 0 AND 1),
    mood_arousal  REAL NOT NULL CHECK (mood_arousal BETWEEN 0 AND 1),
    happy         REAL NOT NULL CHECK (happy BETWEEN 0 AND 1),
    tense         REAL NOT NULL CHECK (tense BETWEEN 0 AND 1),
    sad           REAL NOT NULL CHECK (sad BETWEEN 0 AND 1),
    calm          REAL NOT NULL CHECK (calm BETWEEN 0 AND 1),
    mood          TEXT NOT NULL CHECK (mood IN ('happy', 'tense', 'sad', 'calm')),
    PRIMARY KEY (track_id, model_id)
) WITHOUT ROWID;
CREATE INDEX moods_by_mood_model ON moods(mood_model_id);

DROP VIEW library;
CREATE VIEW library AS
SELECT t.id, t.path, t.title, t.artist, t.album, t.albumartist, t.genre, t.year,
       t.track_no, t.duration, a.model_id, a.acousticness, a.danceability, a.energy,
       a.instrumentalness, a.liveness, a.speechiness, a.valence,
       f.bpm, f.bpm_confidence, f.loudness, f.loudness_range, f.key, f.mode, f.key_strength,
       f.majorness, f.onset_rate, f.beat_regularity, f.brightness, f.noisiness, f.harmonic_change,
       CASE WHEN f.mode IN (1, 2) AND f.key BETWEEN 0 AND 11
            THEN rtrim(substr('C C#D D#E F F#G G#A A#B ', f.key * 2 + 1, 2)) ||
                 CASE f.mode WHEN 1 THEN ' major' ELSE ' minor' END
       END AS key_name,
       CASE f.mode WHEN 1 THEN 'major' WHEN 2 THEN 'minor' END AS mode_name,
       m.mood_valence, m.mood_arousal, m.happy, m.tense, m.sad, m.calm, m.mood
FROM tracks AS t JOIN attributes AS a ON a.track_id = t.id
LEFT JOIN features AS f ON f.track_id = t.id
LEFT JOIN moods AS m ON m.track_id = t.id AND m.model_id = a.model_id
WHERE t.status = 'ok';
)sql",
    // 2 -> 3: similarity vectors, computed from the stored attributes and
    // features by a similarity model (registered in models like a mood model),
    // so an upgraded index gets them at the next start without decoding audio.
    // float32 values, native byte order; length = 4 x the model's dimensions.
    R"sql(
CREATE TABLE vectors (
    track_id            INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    model_id            INTEGER NOT NULL REFERENCES models(id),
    similarity_model_id INTEGER NOT NULL REFERENCES models(id),
    vector              BLOB NOT NULL CHECK (length(vector) > 0 AND length(vector) % 4 = 0),
    PRIMARY KEY (track_id, model_id)
) WITHOUT ROWID;
CREATE INDEX vectors_by_similarity_model ON vectors(similarity_model_id);
)sql",
    // 3 -> 4: the attribute model's embedding of each track (ModelOutput),
    // float32, native byte order, 2 KB for the student's 512 numbers. Only a
    // model with an analyse() method writes one. Tracks analysed before have
    // none; a new model file (the student that has the method) makes them
    // pending again, so they get one when re-analysed in the background.
    R"sql(
CREATE TABLE embeddings (
    track_id  INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    model_id  INTEGER NOT NULL REFERENCES models(id),
    embedding BLOB NOT NULL CHECK (length(embedding) > 0 AND length(embedding) % 4 = 0),
    PRIMARY KEY (track_id, model_id)
) WITHOUT ROWID;
)sql",
    // 4 -> 5: when the index first saw each track (Unix seconds), for the
    // query field `added`. Tracks indexed before cannot say: they get the
    // time they were analysed, else the upgrade's.
    R"sql(
ALTER TABLE tracks ADD COLUMN added_at INTEGER;
UPDATE tracks SET added_at = coalesce(analyzed_at, CAST(strftime('%s', 'now') AS INTEGER));

DROP VIEW library;
CREATE VIEW library AS
SELECT t.id, t.path, t.title, t.artist, t.album, t.albumartist, t.genre, t.year,
       t.track_no, t.duration, a.model_id, a.acousticness, a.danceability, a.energy,
       a.instrumentalness, a.liveness, a.speechiness, a.valence,
       f.bpm, f.bpm_confidence, f.loudness, f.loudness_range, f.key, f.mode, f.key_strength,
       f.majorness, f.onset_rate, f.beat_regularity, f.brightness, f.noisiness, f.harmonic_change,
       CASE WHEN f.mode IN (1, 2) AND f.key BETWEEN 0 AND 11
            THEN rtrim(substr('C C#D D#E F F#G G#A A#B ', f.key * 2 + 1, 2)) ||
                 CASE f.mode WHEN 1 THEN ' major' ELSE ' minor' END
       END AS key_name,
       CASE f.mode WHEN 1 THEN 'major' WHEN 2 THEN 'minor' END AS mode_name,
       m.mood_valence, m.mood_arousal, m.happy, m.tense, m.sad, m.calm, m.mood,
       t.added_at
FROM tracks AS t JOIN attributes AS a ON a.track_id = t.id
LEFT JOIN features AS f ON f.track_id = t.id
LEFT JOIN moods AS m ON m.track_id = t.id AND m.model_id = a.model_id
WHERE t.status = 'ok';
)sql",
};

std::int64_t read_pragma(Connection& connection, std::string_view name) {
    auto statement = connection.prepare("PRAGMA " + std::string(name));
    if (!statement.step()) throw DatabaseError(connection.file().string() + ": PRAGMA " + std::string(name) + " returned nothing");
    return statement.column_int64(0);
}

bool has_any_schema_object(Connection& connection) {
    auto statement = connection.prepare("SELECT 1 FROM sqlite_schema LIMIT 1");
    return statement.step();
}

[[noreturn]] void refuse(const Connection& connection, const std::string& reason) {
    throw DatabaseError(connection.file().string() + ": " + reason);
}

// Refuses databases we must not touch: another program's, or a newer vibed's.
void check_ownership(Connection& connection, std::int64_t version) {
    const std::int64_t application_id = read_pragma(connection, "application_id");
    const bool ours = application_id == kApplicationId;
    const bool fresh = version == 0 && application_id == 0 && !has_any_schema_object(connection);
    if (!ours && !fresh) refuse(connection, "this SQLite database is not a vibed index; refusing to change it");
    if (version > kVersion) {
        refuse(connection, "the index has schema version " + std::to_string(version) + " but this vibed reads only up to " +
                               std::to_string(kVersion) + "; upgrade vibed or use another database path");
    }
}

}  // namespace

void migrate(Connection& connection) {
    for (;;) {
        // Read and bump the version inside the write transaction, so two
        // processes opening a new database cannot both run a migration.
        Transaction transaction(connection);
        const std::int64_t version = read_pragma(connection, "user_version");
        check_ownership(connection, version);
        if (version == kVersion) return;  // nothing written; the guard just ends the transaction
        connection.execute(kMigrations[static_cast<std::size_t>(version)]);
        connection.execute("PRAGMA application_id = " + std::to_string(kApplicationId));
        connection.execute("PRAGMA user_version = " + std::to_string(version + 1));
        transaction.commit();
    }
}

void require_current(Connection& connection) {
    const std::int64_t version = read_pragma(connection, "user_version");
    if (version == 0 && !has_any_schema_object(connection)) {
        refuse(connection, "the index is empty; start vibed once to create it");
    }
    check_ownership(connection, version);
    if (version < kVersion) {
        refuse(connection, "the index has schema version " + std::to_string(version) + " but this vibed needs " +
                               std::to_string(kVersion) + "; start vibed once to upgrade it");
    }
}

}  // namespace vibed::db::schema
