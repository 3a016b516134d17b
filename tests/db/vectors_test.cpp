// Schema version 3: similarity vectors stored with results, recomputed from
// stored inputs, read back packed for neighbour search, and indexes of
// versions 2 and 3 upgraded in place (4 added the embeddings).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "db/index.hpp"
#include "tests/db/test_support.hpp"

namespace vibed::db {
namespace {

namespace fs = std::filesystem;
using testing::ok_record;
using testing::ScratchDir;

core::MusicalFeatures some_features() {
    core::MusicalFeatures features;
    for (std::size_t i = 0; i < core::kFeatureCount; ++i) core::set_feature_value(features, i, 1.0 + static_cast<double>(i));
    features.key = 2;
    features.mode = core::Mode::major;
    return features;
}

class VectorsTest : public ::testing::Test {
protected:
    // A result with a vector [seed, seed + 1, seed + 2] from similarity model v1.
    AnalysisRecord record(const std::string& path, float seed, bool with_vector = true) {
        AnalysisRecord r = ok_record(path, model_, 0.4f);
        r.features = some_features();
        if (with_vector) {
            r.vector = std::vector<float>{seed, seed + 1, seed + 2};
            r.similarity_model_id = similarity_v1_;
        }
        return r;
    }

    void store(const std::string& path, float seed, bool with_vector = true) {
        index_.upsert_pending(path, 100, 1000);
        ASSERT_TRUE(index_.record_result(record(path, seed, with_vector)));
    }

    ScratchDir dir_;
    Index index_ = Index::open(dir_ / "library.db");
    std::int64_t model_ = index_.ensure_model("student", "aaaa");
    std::int64_t similarity_v1_ = index_.ensure_model("similarity-v1", "ssss");
};

TEST_F(VectorsTest, VectorsReadBackPackedInTrackOrderForOkTracksOnly) {
    store("/m/b.mp3", 10);
    store("/m/a.mp3", 20);
    store("/m/c.mp3", 30);
    index_.upsert_pending("/m/c.mp3", 200, 2000);  // changed on disk: waits for analysis, out of the search
    const VectorSet set = index_.similarity_vectors(model_, similarity_v1_);
    ASSERT_EQ(set.dimensions, 3u);
    ASSERT_EQ(set.size(), 2u);
    EXPECT_LT(set.track_ids[0], set.track_ids[1]);
    EXPECT_EQ(set.vector(0)[0], 10.0f);  // b was stored first
    EXPECT_EQ(set.vector(1)[2], 22.0f);
    EXPECT_EQ(set.find(set.track_ids[1]), 1u);
    EXPECT_FALSE(set.find(set.track_ids[1] + 100).has_value());
    EXPECT_EQ(index_.stats(model_, similarity_v1_).with_vectors, 2);
    EXPECT_EQ(index_.stats(model_).with_vectors, 0);  // no similarity model asked about
    EXPECT_TRUE(index_.similarity_vectors(model_, index_.ensure_model("other", "oooo")).track_ids.empty());
}

TEST_F(VectorsTest, AVectorThatIsNotANumberIsAnErrorNotARow) {
    index_.upsert_pending("/m/a.mp3", 100, 1000);
    AnalysisRecord bad = record("/m/a.mp3", 1);
    (*bad.vector)[1] = std::numeric_limits<float>::quiet_NaN();
    ASSERT_TRUE(index_.record_result(bad));
    const auto track = index_.find_track("/m/a.mp3", model_);
    EXPECT_EQ(track->status, TrackStatus::error);
    EXPECT_NE(track->error.find("similarity model"), std::string::npos) << track->error;
    EXPECT_EQ(index_.similarity_vectors(model_, similarity_v1_).size(), 0u);
}

TEST_F(VectorsTest, ANewResultWithoutAVectorDropsTheOldOne) {
    store("/m/a.mp3", 1);
    store("/m/a.mp3", 1, false);
    EXPECT_EQ(index_.similarity_vectors(model_, similarity_v1_).size(), 0u);
}

TEST_F(VectorsTest, StaleVectorsAreListedUntilStoredByTheCurrentSimilarityModel) {
    store("/m/a.mp3", 1);
    store("/m/b.mp3", 2, false);
    const std::int64_t similarity_v2 = index_.ensure_model("similarity-v2", "tttt");
    EXPECT_EQ(index_.stale_vectors(model_, similarity_v1_, 10).size(), 1u);  // b has none
    const auto stale = index_.stale_vectors(model_, similarity_v2, 10);
    ASSERT_EQ(stale.size(), 2u);
    EXPECT_DOUBLE_EQ(stale[0].features.bpm, some_features().bpm);
    EXPECT_EQ(index_.stale_vectors(model_, similarity_v2, 1).size(), 1u);  // the batch limit holds
    std::vector<VectorUpdate> updates;
    for (const auto& inputs : stale) updates.push_back({inputs.track_id, {5.0f, 6.0f}});
    index_.store_vectors(model_, similarity_v2, updates);
    EXPECT_TRUE(index_.stale_vectors(model_, similarity_v2, 10).empty());
    const VectorSet set = index_.similarity_vectors(model_, similarity_v2);
    ASSERT_EQ(set.size(), 2u);
    EXPECT_EQ(set.dimensions, 2u);
    EXPECT_EQ(set.vector(1)[1], 6.0f);
    // One vector per track and attribute model: v2's replaced v1's.
    EXPECT_EQ(index_.similarity_vectors(model_, similarity_v1_).size(), 0u);
    // A value that is not a number is refused, in a transaction: nothing of the batch is kept.
    updates[0].vector = {1.0f, 1.0f};
    updates[1].vector = {1.0f, std::numeric_limits<float>::infinity()};
    EXPECT_THROW(index_.store_vectors(model_, similarity_v2, updates), DatabaseError);
    EXPECT_EQ(index_.similarity_vectors(model_, similarity_v2).vector(0)[0], 5.0f);
}

TEST_F(VectorsTest, VectorsOfDifferentLengthsAreReportedNotMisread) {
    store("/m/a.mp3", 1);                // 3 numbers
    store("/m/b.mp3", 2, false);
    const auto stale = index_.stale_vectors(model_, similarity_v1_, 10);
    ASSERT_EQ(stale.size(), 1u);
    const std::vector<VectorUpdate> updates{{stale[0].track_id, {1.0f, 2.0f}}};
    index_.store_vectors(model_, similarity_v1_, updates);
    EXPECT_THROW(index_.similarity_vectors(model_, similarity_v1_), DatabaseError);
}

TEST_F(VectorsTest, LibraryRowsComeInTheOrderAsked) {
    store("/m/a.mp3", 1);
    store("/m/b.mp3", 2);
    store("/m/c.mp3", 3);
    const VectorSet set = index_.similarity_vectors(model_, similarity_v1_);
    const std::vector<std::int64_t> ids{set.track_ids[2], set.track_ids[0], 999};
    const auto rows = index_.library_rows(model_, ids);
    ASSERT_EQ(rows.size(), 2u);  // 999 is not a track
    EXPECT_EQ(rows[0].path, "/m/c.mp3");
    EXPECT_EQ(rows[1].path, "/m/a.mp3");
}

TEST_F(VectorsTest, ARemovedTrackTakesItsVectorAlong) {
    store("/m/a.mp3", 1);
    ASSERT_TRUE(index_.remove_path("/m/a.mp3"));
    EXPECT_EQ(index_.similarity_vectors(model_, similarity_v1_).size(), 0u);
}

// A version-2 index exactly as the shipped migrations 0 -> 1 -> 2 wrote it
// (frozen copies), with one analysed track with features and moods.
void write_version_2_index(const fs::path& file) {
    Connection connection = Connection::open(file, Connection::Mode::read_write_create);
    connection.execute(R"sql(
CREATE TABLE tracks (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL, title TEXT, artist TEXT, album TEXT, albumartist TEXT, genre TEXT,
    year INTEGER, track_no INTEGER, duration REAL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'ok', 'error')), error TEXT, analyzed_at INTEGER);
CREATE INDEX tracks_by_status ON tracks(status);
CREATE TABLE models (id INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE);
CREATE TABLE attributes (
    track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE, model_id INTEGER NOT NULL REFERENCES models(id),
    acousticness REAL NOT NULL CHECK (acousticness BETWEEN 0 AND 1), danceability REAL NOT NULL CHECK (danceability BETWEEN 0 AND 1),
    energy REAL NOT NULL CHECK (energy BETWEEN 0 AND 1), instrumentalness REAL NOT NULL CHECK (instrumentalness BETWEEN 0 AND 1),
    liveness REAL NOT NULL CHECK (liveness BETWEEN 0 AND 1), speechiness REAL NOT NULL CHECK (speechiness BETWEEN 0 AND 1),
    valence REAL NOT NULL CHECK (valence BETWEEN 0 AND 1), PRIMARY KEY (track_id, model_id)) WITHOUT ROWID;
CREATE INDEX attributes_by_model ON attributes(model_id);
CREATE TABLE features (
    track_id INTEGER PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE, extractor INTEGER NOT NULL,
    bpm REAL NOT NULL, bpm_confidence REAL NOT NULL, loudness REAL NOT NULL, loudness_range REAL NOT NULL,
    key INTEGER NOT NULL CHECK (key BETWEEN -1 AND 11), mode INTEGER NOT NULL CHECK (mode IN (0, 1, 2)),
    key_strength REAL NOT NULL, majorness REAL NOT NULL, onset_rate REAL NOT NULL, beat_regularity REAL NOT NULL,
    brightness REAL NOT NULL, noisiness REAL NOT NULL, harmonic_change REAL NOT NULL);
CREATE TABLE moods (
    track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE, model_id INTEGER NOT NULL REFERENCES models(id),
    mood_model_id INTEGER NOT NULL REFERENCES models(id),
    mood_valence REAL NOT NULL CHECK (mood_valence BETWEEN 0 AND 1), mood_arousal REAL NOT NULL CHECK (mood_arousal BETWEEN 0 AND 1),
    happy REAL NOT NULL CHECK (happy BETWEEN 0 AND 1), tense REAL NOT NULL CHECK (tense BETWEEN 0 AND 1),
    sad REAL NOT NULL CHECK (sad BETWEEN 0 AND 1), calm REAL NOT NULL CHECK (calm BETWEEN 0 AND 1),
    mood TEXT NOT NULL CHECK (mood IN ('happy', 'tense', 'sad', 'calm')),
    PRIMARY KEY (track_id, model_id)) WITHOUT ROWID;
CREATE INDEX moods_by_mood_model ON moods(mood_model_id);
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
INSERT INTO models VALUES (1, 'student', 'aaaa'), (2, 'moods-v1', 'mmmm');
INSERT INTO tracks VALUES (1, '/m/old.flac', 100, 1000, 'Old', 'Someone', NULL, NULL, NULL, 1999, 3, 200.0, 'ok', NULL, 1700000000);
INSERT INTO attributes VALUES (1, 1, 0.1, 0.2, 0.3, 0.4, 0.5, 0.06, 0.7);
INSERT INTO features VALUES (1, )sql" + std::to_string(core::kFeatureExtractorVersion) + R"sql(,
    120, 0.9, -9, 5, 9, 2, 0.6, 0.2, 3, 0.8, 1800, 0.1, 0.3);
INSERT INTO moods VALUES (1, 1, 2, 0.3, 0.4, 0.1, 0.2, 0.6, 0.1, 'sad');
PRAGMA application_id = 1986617956;
PRAGMA user_version = 2;
)sql");
}

// An old index opened for writing: readers ask for the upgrade first.
Index upgraded(const fs::path& file) {
    EXPECT_THROW(Index::open_readonly(file), DatabaseError);
    return Index::open(file);
}

// The one track write_version_2_index() stores, as an upgraded index lists it.
void expect_the_old_track(const std::vector<LibraryRow>& rows) {
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].tags.title, "Old");
    EXPECT_FLOAT_EQ(rows[0].attributes.valence, 0.7f);
    ASSERT_TRUE(rows[0].features.has_value());
    EXPECT_DOUBLE_EQ(rows[0].features->bpm, 120);
    ASSERT_TRUE(rows[0].moods.has_value());
    EXPECT_EQ(rows[0].moods->mood(), core::Mood::sad);
}

TEST(SchemaUpgrade, AVersion2IndexUpgradesInPlaceAndGetsVectorsWithoutReanalysis) {
    ScratchDir dir;
    const fs::path file = dir / "library.db";
    write_version_2_index(file);
    Index index = upgraded(file);
    const std::int64_t model = index.ensure_model("student", "aaaa");
    ASSERT_EQ(model, 1);
    const auto rows = index.select_library(model, {});
    ASSERT_NO_FATAL_FAILURE(expect_the_old_track(rows));
    // Still analysed (vectors need no audio) ...
    EXPECT_TRUE(index.file_state("/m/old.flac", model)->analysed());
    // ... and listed for its vector, computed from what is stored.
    const std::int64_t similarity = index.ensure_model("similarity-v1", "ssss");
    const auto stale = index.stale_vectors(model, similarity, 10);
    ASSERT_EQ(stale.size(), 1u);
    EXPECT_FLOAT_EQ(stale[0].attributes.speechiness, 0.06f);
    EXPECT_DOUBLE_EQ(stale[0].features.brightness, 1800);
    const std::vector<VectorUpdate> updates{{stale[0].track_id, {0.5f, -0.5f}}};
    index.store_vectors(model, similarity, updates);
    EXPECT_EQ(index.stats(model, similarity).with_vectors, 1);
    EXPECT_NO_THROW(Index::open_readonly(file));
    // Opening again is idempotent.
    EXPECT_NO_THROW(Index::open(file));
}

// A version-3 index: version 2 plus the shipped migration 2 -> 3 (a frozen
// copy), with a similarity vector for the track.
void write_version_3_index(const fs::path& file) {
    write_version_2_index(file);
    Connection connection = Connection::open(file, Connection::Mode::read_write_create);
    connection.execute(R"sql(
CREATE TABLE vectors (
    track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE, model_id INTEGER NOT NULL REFERENCES models(id),
    similarity_model_id INTEGER NOT NULL REFERENCES models(id),
    vector BLOB NOT NULL CHECK (length(vector) > 0 AND length(vector) % 4 = 0),
    PRIMARY KEY (track_id, model_id)) WITHOUT ROWID;
CREATE INDEX vectors_by_similarity_model ON vectors(similarity_model_id);
INSERT INTO models VALUES (3, 'similarity-v1', 'ssss');
INSERT INTO vectors VALUES (1, 1, 3, x'0000803f000000c0');
PRAGMA user_version = 3;
)sql");
}

TEST(SchemaUpgrade, AVersion3IndexKeepsEverythingAndItsTracksAreReanalysedByANewModel) {
    ScratchDir dir;
    const fs::path file = dir / "library.db";
    write_version_3_index(file);
    Index index = upgraded(file);
    const std::int64_t model = index.ensure_model("student", "aaaa");
    ASSERT_EQ(model, 1);
    const auto rows = index.select_library(model, {});
    ASSERT_NO_FATAL_FAILURE(expect_the_old_track(rows));
    const std::int64_t similarity = index.ensure_model("similarity-v1", "ssss");
    const VectorSet set = index.similarity_vectors(model, similarity);
    ASSERT_EQ(set.size(), 1u);
    EXPECT_EQ(set.vector(0)[0], 1.0f);
    EXPECT_EQ(set.vector(0)[1], -2.0f);
    // No embedding yet: the old model file had none. The track stays analysed
    // for that model, and a new model file (the student with analyse()) finds
    // it missing, so the scanner analyses it again and stores one.
    EXPECT_FALSE(index.embedding(rows[0].id, model).has_value());
    EXPECT_TRUE(index.file_state("/m/old.flac", model)->analysed());
    const std::int64_t new_student = index.ensure_model("student", "cccc");
    EXPECT_FALSE(index.file_state("/m/old.flac", new_student)->analysed());
    AnalysisRecord again = ok_record("/m/old.flac", new_student, 0.2f, 100, 1000);
    again.features = some_features();
    again.embedding = {0.25f, 0.5f};
    ASSERT_TRUE(index.record_result(again));
    EXPECT_EQ(index.embedding(rows[0].id, new_student), (std::vector<float>{0.25f, 0.5f}));
    EXPECT_NO_THROW(Index::open_readonly(file));
    EXPECT_NO_THROW(Index::open(file));  // idempotent
}

}  // namespace
}  // namespace vibed::db
