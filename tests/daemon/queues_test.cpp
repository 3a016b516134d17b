// WorkQueue (bounded, de-duplicated, closable) and SettleQueue (a file is
// ready once its stamp held still for the settle time), on real files.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "daemon/service/settle_queue.hpp"
#include "daemon/service/work_queue.hpp"
#include "tests/daemon/daemon_test_util.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::ScratchDir;
using test::write_file;

// How long a thread gets to (wrongly) get past a call that must block. A
// correct queue passes however long this is; a broken one is caught.
constexpr auto kBlockingGrace = 50ms;

// ---------------------------------------------------------------- WorkQueue

TEST(WorkQueue, HandsOutFilesInOrder) {
    WorkQueue queue(4);
    EXPECT_EQ(queue.try_push("/music/a.mp3"), WorkQueue::PushResult::queued);
    EXPECT_EQ(queue.try_push("/music/b.mp3"), WorkQueue::PushResult::queued);
    EXPECT_EQ(queue.pop(), fs::path("/music/a.mp3"));
    EXPECT_EQ(queue.pop(), fs::path("/music/b.mp3"));
    EXPECT_EQ(queue.size(), 0u);
}

TEST(WorkQueue, AFileQueuedTwiceIsAnalysedOnce) {
    WorkQueue queue(4);
    EXPECT_EQ(queue.try_push("/music/a.mp3"), WorkQueue::PushResult::queued);
    EXPECT_EQ(queue.try_push("/music/a.mp3"), WorkQueue::PushResult::duplicate);
    EXPECT_TRUE(queue.push("/music/a.mp3"));
    EXPECT_EQ(queue.size(), 1u);
    EXPECT_EQ(queue.pop(), fs::path("/music/a.mp3"));
    // Once handed out, the file may be queued again (it changed meanwhile).
    EXPECT_EQ(queue.try_push("/music/a.mp3"), WorkQueue::PushResult::queued);
}

TEST(WorkQueue, TryPushReportsFullAtCapacity) {
    WorkQueue queue(2);
    EXPECT_EQ(queue.try_push("/a"), WorkQueue::PushResult::queued);
    EXPECT_EQ(queue.try_push("/b"), WorkQueue::PushResult::queued);
    EXPECT_EQ(queue.try_push("/c"), WorkQueue::PushResult::full);
    EXPECT_EQ(queue.size(), 2u);
    ASSERT_TRUE(queue.pop().has_value());
    EXPECT_EQ(queue.try_push("/c"), WorkQueue::PushResult::queued);
}

TEST(WorkQueue, ZeroCapacityStillHoldsOneFile) {
    WorkQueue queue(0);
    EXPECT_EQ(queue.try_push("/a"), WorkQueue::PushResult::queued);
    EXPECT_EQ(queue.try_push("/b"), WorkQueue::PushResult::full);
}

TEST(WorkQueue, BlockingPushWaitsUntilAPopMakesRoom) {
    WorkQueue queue(1);
    ASSERT_TRUE(queue.push("/a"));
    std::atomic<bool> pushed{false};
    auto pusher = std::async(std::launch::async, [&] {
        const bool accepted = queue.push("/b");
        pushed = true;
        return accepted;
    });
    std::this_thread::sleep_for(kBlockingGrace);
    EXPECT_FALSE(pushed) << "push returned while the queue was full";
    EXPECT_EQ(queue.pop(), fs::path("/a"));
    EXPECT_TRUE(pusher.get());
    EXPECT_EQ(queue.pop(), fs::path("/b"));
}

TEST(WorkQueue, BlockingPushOfAQueuedFileDoesNotWait) {
    WorkQueue queue(1);
    ASSERT_TRUE(queue.push("/a"));
    EXPECT_TRUE(queue.push("/a"));  // would deadlock if it waited for room
    EXPECT_EQ(queue.size(), 1u);
}

TEST(WorkQueue, CloseWakesAWaitingPop) {
    WorkQueue queue(1);
    auto popper = std::async(std::launch::async, [&] { return queue.pop(); });
    std::this_thread::sleep_for(kBlockingGrace);
    queue.close();
    EXPECT_EQ(popper.get(), std::nullopt);
}

TEST(WorkQueue, CloseWakesAWaitingPushAndDropsQueuedFiles) {
    WorkQueue queue(1);
    ASSERT_TRUE(queue.push("/a"));
    auto pusher = std::async(std::launch::async, [&] { return queue.push("/b"); });
    std::this_thread::sleep_for(kBlockingGrace);
    queue.close();
    EXPECT_FALSE(pusher.get());
    EXPECT_EQ(queue.size(), 0u);
    EXPECT_EQ(queue.pop(), std::nullopt);
    EXPECT_EQ(queue.try_push("/c"), WorkQueue::PushResult::closed);
    EXPECT_FALSE(queue.push("/c"));
}

TEST(WorkQueue, ReopenAcceptsWorkAgain) {
    WorkQueue queue(2);
    ASSERT_TRUE(queue.push("/a"));
    queue.close();
    queue.reopen();
    EXPECT_EQ(queue.size(), 0u);
    // The file dropped by close() is not remembered as queued.
    EXPECT_EQ(queue.try_push("/a"), WorkQueue::PushResult::queued);
    EXPECT_EQ(queue.pop(), fs::path("/a"));
}

// -------------------------------------------------------------- SettleQueue

class SettleQueueTest : public ::testing::Test {
protected:
    static constexpr SettleQueue::Clock::duration kSettle = 2s;
    const SettleQueue::Clock::time_point start_ = SettleQueue::Clock::now();
    ScratchDir dir_;
    SettleQueue queue_{kSettle};
};

TEST_F(SettleQueueTest, AFileIsReadyOnlyOnceTheSettleTimeHasPassed) {
    const auto file = dir_ / "a.mp3";
    write_file(file);
    queue_.touch(file, start_);
    EXPECT_TRUE(queue_.take_ready(start_).empty());
    EXPECT_TRUE(queue_.take_ready(start_ + kSettle - 1ms).empty());
    EXPECT_EQ(queue_.size(), 1u);
    EXPECT_EQ(queue_.take_ready(start_ + kSettle), std::vector<fs::path>{file});
    EXPECT_TRUE(queue_.empty());
}

TEST_F(SettleQueueTest, ANewEventRestartsTheWait) {
    const auto file = dir_ / "a.mp3";
    write_file(file);
    queue_.touch(file, start_);
    queue_.touch(file, start_ + 1s);
    EXPECT_TRUE(queue_.take_ready(start_ + kSettle).empty());
    EXPECT_EQ(queue_.take_ready(start_ + 1s + kSettle), std::vector<fs::path>{file});
}

TEST_F(SettleQueueTest, AFileStillBeingWrittenWaitsAgain) {
    const auto file = dir_ / "a.mp3";
    write_file(file, "first part");
    queue_.touch(file, start_);
    write_file(file, "first part, then some more");  // no event needed: the stamp tells
    const auto checked = start_ + kSettle;
    EXPECT_TRUE(queue_.take_ready(checked).empty());
    EXPECT_EQ(queue_.size(), 1u);
    EXPECT_TRUE(queue_.take_ready(checked + kSettle - 1ms).empty());
    EXPECT_EQ(queue_.take_ready(checked + kSettle), std::vector<fs::path>{file});
}

TEST_F(SettleQueueTest, AVanishedFileIsDropped) {
    const auto file = dir_ / "download.mp3";
    write_file(file);
    queue_.touch(file, start_);
    fs::remove(file);
    EXPECT_TRUE(queue_.take_ready(start_ + kSettle).empty());
    EXPECT_TRUE(queue_.empty());
}

TEST_F(SettleQueueTest, RenamingAFolderMovesTheFilesWaitingInIt) {
    write_file(dir_ / "old/a.mp3");
    write_file(dir_ / "old/deep/b.mp3");
    write_file(dir_ / "older/c.mp3");  // shares a prefix, not a folder
    queue_.touch(dir_ / "old/a.mp3", start_);
    queue_.touch(dir_ / "old/deep/b.mp3", start_);
    queue_.touch(dir_ / "older/c.mp3", start_);

    fs::rename(dir_ / "old", dir_ / "new");
    queue_.rename(dir_ / "old", dir_ / "new");

    // Renaming keeps the stamps (and the due time): nothing is re-waited.
    const std::vector<fs::path> expected{dir_ / "new/a.mp3", dir_ / "new/deep/b.mp3", dir_ / "older/c.mp3"};
    EXPECT_EQ(queue_.take_ready(start_ + kSettle), expected);
}

TEST_F(SettleQueueTest, RenamingAFileMovesOnlyThatFile) {
    write_file(dir_ / "a.mp3");
    write_file(dir_ / "a.mp3.bak");
    queue_.touch(dir_ / "a.mp3", start_);
    queue_.touch(dir_ / "a.mp3.bak", start_);
    fs::rename(dir_ / "a.mp3", dir_ / "b.mp3");
    queue_.rename(dir_ / "a.mp3", dir_ / "b.mp3");
    const std::vector<fs::path> expected{dir_ / "a.mp3.bak", dir_ / "b.mp3"};
    EXPECT_EQ(queue_.take_ready(start_ + kSettle), expected);
}

TEST_F(SettleQueueTest, ForgettingAFolderDropsEverythingUnderIt) {
    write_file(dir_ / "gone/a.mp3");
    write_file(dir_ / "gone/deep/b.mp3");
    write_file(dir_ / "gone2/c.mp3");
    queue_.touch(dir_ / "gone/a.mp3", start_);
    queue_.touch(dir_ / "gone/deep/b.mp3", start_);
    queue_.touch(dir_ / "gone2/c.mp3", start_);
    queue_.forget(dir_ / "gone");
    EXPECT_EQ(queue_.size(), 1u);
    EXPECT_EQ(queue_.take_ready(start_ + kSettle), std::vector<fs::path>{dir_ / "gone2/c.mp3"});
}

TEST_F(SettleQueueTest, AChangedSettleTimeAppliesToTheNextTouch) {
    const auto file = dir_ / "a.mp3";
    write_file(file);
    queue_.set_settle_time(10s);
    queue_.touch(file, start_);
    EXPECT_TRUE(queue_.take_ready(start_ + kSettle).empty());
    EXPECT_EQ(queue_.take_ready(start_ + 10s), std::vector<fs::path>{file});
}

}  // namespace
}  // namespace vibed::daemon
