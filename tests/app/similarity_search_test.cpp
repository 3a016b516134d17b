// "More like this" over a real index: seeds that cannot be used are one clear
// error each, the seed never appears among its own neighbours, and radios
// leave out the configured exclusion and what the caller excludes.

#include <gtest/gtest.h>

#include <algorithm>

#include "config/config.hpp"
#include "daemon/app/similarity_search.hpp"
#include "tests/db/test_support.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;
using db::testing::ok_record;

class SimilaritySearchTest : public ::testing::Test {
protected:
    SimilaritySearchTest() {
        space_.model_id = index_.ensure_model("student", "aaaa");
        space_.similarity_model_id = index_.ensure_model("similarity", "ssss");
        space_.similarity_model = "similarity";
        // Vectors on a line, so the order of neighbours is known.
        store("a", 0.0f, "Ann", "jazz");
        store("b", 1.0f, "Bob", "jazz");
        store("carol", 1.5f, "Carol", "christmas");
        store("c", 3.0f, "Cid", "rock");
        store("d", 10.0f, "Dee", "rock");
    }

    fs::path path(const std::string& name) const { return dir_ / "music" / (name + ".flac"); }

    void store(const std::string& name, float x, const std::string& artist, const std::string& genre) {
        db::AnalysisRecord record = ok_record(path(name).string(), space_.model_id, 0.4f);
        record.tags.artist = artist;
        record.tags.genre = genre;
        record.vector = std::vector<float>{x, 0.0f};
        record.similarity_model_id = space_.similarity_model_id;
        index_.upsert_pending(record.path, record.size, record.mtime_ns);
        ASSERT_TRUE(index_.record_result(record));
    }

    // The error similar_tracks gives for `seed`, or "" when it gave none.
    std::string error_for(const fs::path& seed) {
        try {
            similar_tracks(index_, space_, seed, 3);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return "";
    }

    static std::vector<fs::path> paths_of(const std::vector<core::LibraryRow>& rows) {
        std::vector<fs::path> paths;
        for (const auto& row : rows) paths.push_back(row.path);
        return paths;
    }

    db::testing::ScratchDir dir_;
    db::Index index_ = db::Index::open(dir_ / "library.db");
    SimilaritySpace space_;
};

TEST_F(SimilaritySearchTest, ASeedThatCannotBeUsedIsAClearError) {
    index_.upsert_pending(path("waiting").string(), 100, 1000);
    EXPECT_EQ(error_for(path("waiting")), path("waiting").string() +
                                               ": not analysed yet; try again once vibed has analysed it");
    EXPECT_EQ(error_for(path("nowhere")),
              path("nowhere").string() + ": not in the index (not under a library folder, or not scanned yet)");

    db::AnalysisRecord broken = ok_record(path("broken").string(), space_.model_id, 0.1f);
    broken.attributes.reset();
    broken.error = "cannot decode: truncated frame";
    index_.upsert_pending(broken.path, broken.size, broken.mtime_ns);
    index_.record_result(broken);
    EXPECT_EQ(error_for(path("broken")), path("broken").string() + ": its analysis failed: cannot decode: truncated frame");

    // Analysed, but no vector yet.
    db::AnalysisRecord bare = ok_record(path("bare").string(), space_.model_id, 0.1f);
    index_.upsert_pending(bare.path, bare.size, bare.mtime_ns);
    ASSERT_TRUE(index_.record_result(bare));
    EXPECT_NE(error_for(path("bare")).find("has no similarity vector yet"), std::string::npos) << error_for(path("bare"));
}

TEST_F(SimilaritySearchTest, NeighboursAreNearestFirstWithoutTheSeed) {
    const auto similar = similar_tracks(index_, space_, path("b"), 3);
    ASSERT_EQ(similar.size(), 3u);
    // b sits at 1: carol (1.5), a (0) and c (3) are 0.5, 1 and 2 away; b itself (0 away) is not listed.
    EXPECT_EQ(similar[0].row.path, path("carol"));
    EXPECT_EQ(similar[1].row.path, path("a"));
    EXPECT_EQ(similar[2].row.path, path("c"));
    EXPECT_DOUBLE_EQ(similar[0].distance, 0.5);
    EXPECT_DOUBLE_EQ(similar[1].distance, 1.0);
    EXPECT_DOUBLE_EQ(similar[2].distance, 2.0);
    EXPECT_EQ(similar[0].row.tags.artist, "Carol");
}

TEST_F(SimilaritySearchTest, RadiosLeaveOutTheConfiguredExclusionAndTheCallersList) {
    space_.exclude = "genre:christmas";
    RadioRequest request;
    request.seeds = {path("a")};
    request.exclude = {path("b")};
    request.options.limit = playlist::Limit{playlist::Limit::Kind::Count, 10, {}};
    const auto radio = paths_of(build_radio(index_, space_, request));
    EXPECT_EQ(radio, (std::vector<fs::path>{path("a"), path("c"), path("d")}));

    // Without the exclusion, carol (the nearest after b) is picked first.
    space_.exclude.clear();
    const auto unfiltered = paths_of(build_radio(index_, space_, request));
    ASSERT_GE(unfiltered.size(), 2u);
    EXPECT_EQ(unfiltered[1], path("carol"));
}

TEST_F(SimilaritySearchTest, SeedQueriesNeverPickAnExcludedTrack) {
    EXPECT_EQ(seed_from_query(index_, space_, "genre:christmas"), path("carol"));
    space_.exclude = "genre:christmas";
    try {
        seed_from_query(index_, space_, "genre:christmas");
        FAIL() << "an excluded track became a seed";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "no analysed track with a similarity vector matches `genre:christmas`");
    }
    // The most typical of the rest (centre 3.5 of 0, 1, 3, 10) is c.
    EXPECT_EQ(seed_from_query(index_, space_, "genre:jazz or genre:rock or genre:christmas"), path("c"));
}

TEST_F(SimilaritySearchTest, NoVectorsYetOrSimilarityOffIsSaid) {
    SimilaritySpace other = space_;
    other.similarity_model_id = index_.ensure_model("similarity-v2", "tttt");
    other.similarity_model = "similarity-v2";
    try {
        similar_tracks(index_, other, path("a"), 3);
        FAIL() << "searched a space without vectors";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("no track has a vector from similarity model 'similarity-v2' yet"),
                  std::string::npos)
            << e.what();
    }
    config::Config config = config::default_config();
    config.analysis.similarity_model = "none";
    try {
        find_similarity_space(index_, space_.model_id, config);
        FAIL() << "found a space with similarity turned off";
    } catch (const std::runtime_error& e) {
        EXPECT_TRUE(std::string(e.what()).starts_with("similarity is turned off")) << e.what();
    }
}

}  // namespace
}  // namespace vibed::daemon
