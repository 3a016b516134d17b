// Schema version 4: the attribute model's embedding stored with each result,
// replaced or removed by the next result, and never stored when not finite.
#include <gtest/gtest.h>

#include <limits>

#include "db/index.hpp"
#include "tests/db/test_support.hpp"

namespace vibed::db {
namespace {

using testing::ok_record;
using testing::ScratchDir;

class EmbeddingsTest : public ::testing::Test {
protected:
    // A result whose embedding is 512 numbers derived from `seed`, or none.
    AnalysisRecord record(const std::string& path, float seed, bool with_embedding = true) {
        AnalysisRecord r = ok_record(path, model_, 0.4f);
        if (with_embedding) {
            for (int i = 0; i < 512; ++i) r.embedding.push_back(seed + static_cast<float>(i) / 512.0f);
        }
        return r;
    }

    // The id of an analysed ('ok') track.
    std::int64_t track_id(const std::string& path) {
        for (const auto& row : index_.select_library(model_, {})) {
            if (row.path == path) return row.id;
        }
        ADD_FAILURE() << path << " is not an analysed track";
        return -1;
    }

    ScratchDir dir_;
    Index index_ = Index::open(dir_ / "library.db");
    std::int64_t model_ = index_.ensure_model("student", "aaaa");
};

TEST_F(EmbeddingsTest, AStoredEmbeddingReadsBackExactly) {
    index_.upsert_pending("/m/a.mp3", 100, 1000);
    const AnalysisRecord stored = record("/m/a.mp3", 3.25f);
    ASSERT_TRUE(index_.record_result(stored));
    const auto embedding = index_.embedding(track_id("/m/a.mp3"), model_);
    ASSERT_TRUE(embedding.has_value());
    EXPECT_EQ(*embedding, stored.embedding);
    const std::int64_t other_model = index_.ensure_model("vibenet", "bbbb");
    EXPECT_FALSE(index_.embedding(track_id("/m/a.mp3"), other_model).has_value());
}

TEST_F(EmbeddingsTest, AResultWithoutAnEmbeddingRemovesTheOldOne) {
    index_.upsert_pending("/m/a.mp3", 100, 1000);
    ASSERT_TRUE(index_.record_result(record("/m/a.mp3", 1.0f)));
    index_.upsert_pending("/m/a.mp3", 200, 2000);  // changed on disk, analysed again by a model without one
    AnalysisRecord again = record("/m/a.mp3", 1.0f, /*with_embedding=*/false);
    again.size = 200;
    again.mtime_ns = 2000;
    ASSERT_TRUE(index_.record_result(again));
    EXPECT_TRUE(index_.file_state("/m/a.mp3", model_)->has_attributes);
    EXPECT_FALSE(index_.embedding(track_id("/m/a.mp3"), model_).has_value());
}

TEST_F(EmbeddingsTest, ANonFiniteEmbeddingMakesTheResultAnErrorNotAStoredValue) {
    index_.upsert_pending("/m/a.mp3", 100, 1000);
    AnalysisRecord bad = record("/m/a.mp3", 1.0f);
    bad.embedding[7] = std::numeric_limits<float>::quiet_NaN();
    ASSERT_TRUE(index_.record_result(bad));
    EXPECT_EQ(index_.file_state("/m/a.mp3", model_)->status, TrackStatus::error);
    const std::int64_t first_track = 1;  // the only track of a new database
    EXPECT_FALSE(index_.embedding(first_track, model_).has_value());
}

TEST_F(EmbeddingsTest, ARemovedTrackTakesItsEmbeddingAlong) {
    index_.upsert_pending("/m/a.mp3", 100, 1000);
    ASSERT_TRUE(index_.record_result(record("/m/a.mp3", 1.0f)));
    const std::int64_t id = track_id("/m/a.mp3");
    ASSERT_TRUE(index_.remove_path("/m/a.mp3"));
    EXPECT_FALSE(index_.embedding(id, model_).has_value());
}

}  // namespace
}  // namespace vibed::db
