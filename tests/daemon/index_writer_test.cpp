// The index writer on a real SQLite file: results and commands are applied in
// the order they arrive, and a database locked by another connection delays
// them without losing any; the problem is on the board while it lasts.

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "daemon/service/index_writer.hpp"
#include "db/sqlite/sqlite.hpp"
#include "tests/daemon/daemon_test_util.hpp"
#include "tests/db/test_support.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;
using test::ScratchDir;

AnalysisOutcome success(const fs::path& path, util::FileStamp stamp, float seed) {
    core::TrackAnalysis analysis;
    analysis.attributes = db::testing::sample_attributes(seed);
    return {path, stamp, analysis, {}, false};
}

class IndexWriterTest : public ::testing::Test {
protected:
    IndexWriterTest() {
        db::Index index = db::Index::open(file_);
        model_ = index.ensure_model("student", "aaaa");
        writer_ = std::make_unique<IndexWriter>(std::move(index), model_, problems_,
                                                [this](std::size_t stored) { stored_ += stored; });
    }

    std::optional<db::FileState> state_of(const fs::path& path) {
        return db::Index::open_readonly(file_).file_state(path, model_);
    }

    // Marks a file for analysis and waits for the writer's verdict.
    bool mark(const fs::path& path, util::FileStamp stamp) {
        std::promise<bool> verdict;
        writer_->add(MarkForAnalysis{path, stamp, [&](bool needs) { verdict.set_value(needs); }});
        return verdict.get_future().get();
    }

    ScratchDir dir_;
    fs::path file_ = dir_ / "library.db";
    ProblemBoard problems_;
    std::int64_t model_ = 0;
    std::atomic<std::size_t> stored_{0};
    std::unique_ptr<IndexWriter> writer_;
};

TEST_F(IndexWriterTest, CommandsAndResultsAreAppliedInTheOrderTheyCame) {
    const util::FileStamp stamp{100, 1000};
    EXPECT_TRUE(mark("/music/a.mp3", stamp));
    writer_->add(success("/music/a.mp3", stamp, 0.3f));
    writer_->add(MoveTrack{"/music/a.mp3", "/music/b.mp3", {}});
    ASSERT_TRUE(writer_->flush());
    EXPECT_EQ(stored_, 1u);
    EXPECT_FALSE(state_of("/music/a.mp3"));
    const auto moved = state_of("/music/b.mp3");
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->status, db::TrackStatus::ok);
    EXPECT_TRUE(moved->has_attributes);

    // The same version again needs nothing; a new version does.
    EXPECT_FALSE(mark("/music/b.mp3", stamp));
    EXPECT_TRUE(mark("/music/b.mp3", {101, 2000}));
    writer_->add(RemoveTrack{"/music/b.mp3"});
    ASSERT_TRUE(writer_->flush());
    EXPECT_FALSE(state_of("/music/b.mp3"));
    EXPECT_EQ(writer_->backlog(), 0u);
}

TEST_F(IndexWriterTest, ALockedDatabaseDelaysWritesWithoutLosingThem) {
    const util::FileStamp stamp{100, 1000};
    EXPECT_TRUE(mark("/music/keep.mp3", stamp));
    EXPECT_TRUE(mark("/music/gone.mp3", stamp));
    ASSERT_TRUE(writer_->flush());

    // Another connection (another process, for SQLite) takes the write lock
    // for longer than the writer's 5 s busy timeout.
    db::Connection other = db::Connection::open(file_, db::Connection::Mode::read_write_create);
    other.execute("BEGIN IMMEDIATE");
    writer_->add(success("/music/keep.mp3", stamp, 0.6f));
    writer_->add(RemoveTrack{"/music/gone.mp3"});
    EXPECT_FALSE(writer_->flush(std::chrono::milliseconds(6500))) << "applied through another writer's lock";
    EXPECT_TRUE(problems_.has(IndexWriter::kProblemArea));
    const auto problems = problems_.current();
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems.front().message.find("locked"), std::string::npos) << problems.front().message;
    EXPECT_EQ(writer_->backlog(), 2u);

    other.execute("COMMIT");
    ASSERT_TRUE(writer_->flush(std::chrono::seconds(30)));
    EXPECT_FALSE(problems_.has(IndexWriter::kProblemArea));
    const auto kept = state_of("/music/keep.mp3");
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->status, db::TrackStatus::ok);
    EXPECT_FALSE(state_of("/music/gone.mp3"));
}

TEST_F(IndexWriterTest, RetryingWorkOnTheScanThreadWaitsForTheLock) {
    db::Connection other = db::Connection::open(file_, db::Connection::Mode::read_write_create);
    other.execute("BEGIN IMMEDIATE");
    std::atomic<bool> stop{false};
    auto scan = std::async(std::launch::async, [&] {
        const db::FileVersion late{"/music/late.mp3", 1, 1};
        writer_->mark_pending(std::span(&late, 1), stop);
        return true;
    });
    EXPECT_EQ(scan.wait_for(std::chrono::milliseconds(5500)), std::future_status::timeout);
    other.execute("COMMIT");
    EXPECT_TRUE(scan.get());
    EXPECT_TRUE(state_of("/music/late.mp3"));
    EXPECT_FALSE(problems_.has(IndexWriter::kProblemArea));
}

}  // namespace
}  // namespace vibed::daemon
