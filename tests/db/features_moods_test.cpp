// Schema version 2: musical features and moods, stored, read back, upgraded
// from a version-1 index, and recomputed from stored inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "db/index.hpp"
#include "tests/db/test_support.hpp"

namespace vibed::db {
namespace {

namespace fs = std::filesystem;
using testing::ok_record;
using testing::sample_attributes;
using testing::ScratchDir;

core::MusicalFeatures sample_features(double seed) {
    core::MusicalFeatures features;
    for (std::size_t i = 0; i < core::kFeatureCount; ++i) core::set_feature_value(features, i, seed + static_cast<double>(i));
    features.key = 9;
    features.mode = core::Mode::minor;
    return features;
}

core::Moods sample_moods(float sad) {
    core::Moods moods;
    moods.valence = 0.2f;
    moods.arousal = 0.3f;
    moods.probabilities = {0.1f, 0.2f, sad, 0.7f - sad};
    return moods;
}

class FeaturesMoodsTest : public ::testing::Test {
protected:
    AnalysisRecord record(const std::string& path, bool with_moods) {
        AnalysisRecord r = ok_record(path, model_, 0.5f);
        r.features = sample_features(100);
        if (with_moods) {
            r.moods = sample_moods(0.6f);
            r.mood_model_id = moods_v1_;
        }
        return r;
    }

    ScratchDir dir_;
    Index index_ = Index::open(dir_ / "library.db");
    std::int64_t model_ = index_.ensure_model("student", "aaaa");
    std::int64_t moods_v1_ = index_.ensure_model("moods-v1", "mmmm");
};

TEST_F(FeaturesMoodsTest, FeaturesAndMoodsReadBackFromTheLibrary) {
    index_.upsert_pending("/m/a.mp3", 100, 1000);
    ASSERT_TRUE(index_.record_result(record("/m/a.mp3", true)));
    const auto rows = index_.select_library(model_, {});
    ASSERT_EQ(rows.size(), 1u);
    ASSERT_TRUE(rows[0].features.has_value());
    for (std::size_t i = 0; i < core::kFeatureCount; ++i) {
        EXPECT_DOUBLE_EQ(core::feature_value(*rows[0].features, i), core::feature_value(sample_features(100), i))
            << core::kFeatureNames[i];
    }
    ASSERT_TRUE(rows[0].moods.has_value());
    EXPECT_FLOAT_EQ(rows[0].moods->probability(core::Mood::sad), 0.6f);
    EXPECT_EQ(rows[0].moods->mood(), core::Mood::sad);
    EXPECT_TRUE(index_.file_state("/m/a.mp3", model_)->analysed());
}

TEST_F(FeaturesMoodsTest, TheViewNamesKeyModeAndMood) {
    index_.upsert_pending("/m/a.mp3", 100, 1000);
    ASSERT_TRUE(index_.record_result(record("/m/a.mp3", true)));
    SqlFilter filter;
    filter.where_sql = "key_name = ? AND mode_name = ? AND mood = ?";
    filter.params = {std::string("A minor"), std::string("minor"), std::string("sad")};
    EXPECT_EQ(index_.select_library(model_, filter).size(), 1u);
}

TEST_F(FeaturesMoodsTest, AFeatureThatIsNotANumberIsAnErrorNotARow) {
    index_.upsert_pending("/m/a.mp3", 100, 1000);
    AnalysisRecord bad = record("/m/a.mp3", false);
    bad.features.loudness = std::numeric_limits<double>::quiet_NaN();
    ASSERT_TRUE(index_.record_result(bad));
    const auto track = index_.find_track("/m/a.mp3", model_);
    EXPECT_EQ(track->status, TrackStatus::error);
    EXPECT_NE(track->error.find("not a number"), std::string::npos) << track->error;
}

TEST_F(FeaturesMoodsTest, StaleMoodsAreListedUntilStoredByTheCurrentMoodModel) {
    for (const auto* path : {"/m/a.mp3", "/m/b.mp3"}) {
        index_.upsert_pending(path, 100, 1000);
        ASSERT_TRUE(index_.record_result(record(path, std::string(path) == "/m/a.mp3")));
    }
    const std::int64_t moods_v2 = index_.ensure_model("moods-v2", "nnnn");
    // b has no moods at all, a has moods of v1: both are stale for v2.
    EXPECT_EQ(index_.stale_moods(model_, moods_v1_, 10).size(), 1u);
    const auto stale = index_.stale_moods(model_, moods_v2, 10);
    ASSERT_EQ(stale.size(), 2u);
    EXPECT_DOUBLE_EQ(stale[0].features.bpm, sample_features(100).bpm);
    EXPECT_FLOAT_EQ(stale[0].attributes.energy, sample_attributes(0.5f).energy);
    std::vector<MoodUpdate> updates;
    for (const auto& inputs : stale) updates.push_back({inputs.track_id, sample_moods(0.1f)});
    index_.store_moods(model_, moods_v2, updates);
    EXPECT_TRUE(index_.stale_moods(model_, moods_v2, 10).empty());
    for (const auto& row : index_.select_library(model_, {})) EXPECT_EQ(row.moods->mood(), core::Mood::calm);
}

TEST_F(FeaturesMoodsTest, ANewResultWithoutMoodsDropsTheOldOnes) {
    index_.upsert_pending("/m/a.mp3", 100, 1000);
    ASSERT_TRUE(index_.record_result(record("/m/a.mp3", true)));
    ASSERT_TRUE(index_.record_result(record("/m/a.mp3", false)));
    EXPECT_FALSE(index_.select_library(model_, {})[0].moods.has_value());
}

// A version-1 index exactly as vibed 0.1 wrote it (the shipped migration, frozen).
void write_version_1_index(const fs::path& file) {
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
CREATE VIEW library AS
SELECT t.id, t.path, t.title, t.artist, t.album, t.albumartist, t.genre, t.year,
       t.track_no, t.duration, a.model_id, a.acousticness, a.danceability, a.energy,
       a.instrumentalness, a.liveness, a.speechiness, a.valence
FROM tracks AS t JOIN attributes AS a ON a.track_id = t.id WHERE t.status = 'ok';
INSERT INTO models VALUES (1, 'student', 'aaaa');
INSERT INTO tracks VALUES (1, '/m/old.flac', 100, 1000, 'Old', 'Someone', NULL, NULL, NULL, 1999, 3, 200.0, 'ok', NULL, 1700000000);
INSERT INTO attributes VALUES (1, 1, 0.1, 0.2, 0.3, 0.4, 0.5, 0.06, 0.7);
PRAGMA application_id = 1986617956;
PRAGMA user_version = 1;
)sql");
}

TEST(SchemaUpgrade, AVersion1IndexUpgradesInPlaceKeepsEveryAttributeAndQueuesFeatures) {
    ScratchDir dir;
    const fs::path file = dir / "library.db";
    write_version_1_index(file);
    Index index = Index::open(file);
    const std::int64_t model = index.ensure_model("student", "aaaa");
    EXPECT_EQ(model, 1);
    const auto rows = index.select_library(model, {});
    ASSERT_EQ(rows.size(), 1u);  // still listed while its features are computed
    EXPECT_EQ(rows[0].tags.title, "Old");
    EXPECT_FLOAT_EQ(rows[0].attributes.valence, 0.7f);
    EXPECT_FLOAT_EQ(rows[0].attributes.speechiness, 0.06f);
    EXPECT_FALSE(rows[0].features.has_value());
    EXPECT_FALSE(rows[0].moods.has_value());
    const auto state = index.file_state("/m/old.flac", model);
    EXPECT_TRUE(state->has_attributes);
    EXPECT_FALSE(state->has_features);
    EXPECT_FALSE(state->analysed());  // so the scanner analyses it again, in the background
    // And the readers accept the upgraded file.
    EXPECT_NO_THROW(Index::open_readonly(file));
}

}  // namespace
}  // namespace vibed::db
