// The library context: the index read-only, and the model's identity from
// what the running daemon recorded instead of hashing the model again.

#include <gtest/gtest.h>

#include <fstream>

#include "config/config.hpp"
#include "core/model/file_digest.hpp"
#include "daemon/app/library_context.hpp"
#include "db/index.hpp"
#include "tests/support/scratch_dir.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

class LibraryContextTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::ofstream(model_file_, std::ios::binary) << "a model's bytes";
        config_ = config::default_config();
        config_.database.path = scratch_ / "index.db";
        config_.analysis.model.kind = config::ModelChoice::Kind::file;
        config_.analysis.model.file = model_file_;
    }

    vibed::test::ScratchDir scratch_;
    fs::path model_file_ = scratch_ / "mine.pt";
    config::Config config_;
};

TEST_F(LibraryContextTest, FindsTheModelByItsDigest) {
    const std::int64_t id = db::Index::open(config_.database.path).ensure_model("mine", core::sha256_file(model_file_));
    const LibraryAccess library = open_library(config_);
    EXPECT_EQ(library.model_name, "mine");
    EXPECT_EQ(library.model_sha256, core::sha256_file(model_file_));
    EXPECT_EQ(library.model_id, id);
}

TEST_F(LibraryContextTest, UsesTheDigestTheDaemonRecordedForTheSameUnchangedFile) {
    // The daemon's digest stands for the file as the daemon hashed it; one
    // that differs from the file's own shows that vibectl did not hash again.
    const std::int64_t id = db::Index::open(config_.database.path).ensure_model("mine", "recorded-digest");
    const auto recorded = core::digest_of_current(model_file_, "recorded-digest");
    EXPECT_EQ(open_library(config_, recorded).model_id, id);
    EXPECT_EQ(open_library(config_, recorded).model_sha256, "recorded-digest");

    std::ofstream(model_file_, std::ios::binary | std::ios::app) << ", changed since";
    const LibraryAccess changed = open_library(config_, recorded);
    EXPECT_EQ(changed.model_sha256, core::sha256_file(model_file_));
    EXPECT_FALSE(changed.model_id);
}

TEST_F(LibraryContextTest, NoIndexYetIsAClearError) {
    try {
        open_library(config_);
        FAIL() << "opened a library without an index";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("no index yet"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace vibed::daemon
