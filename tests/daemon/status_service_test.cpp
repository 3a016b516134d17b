// `status` is answered off the event loop (issue 19 item 9, issue 21): the
// status service reads the index on its own thread, so a request returns at
// once even while the index cannot be read, and the answer follows when it
// can. Real SQLite file; the index is held by a connection in exclusive
// locking mode, as another program could.
#include <gtest/gtest.h>

#include <future>

#include "daemon/service/status_service.hpp"
#include "db/sqlite/sqlite.hpp"
#include "tests/daemon/daemon_test_util.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;
using test::ScratchDir;

class StatusServiceTest : public ::testing::Test {
protected:
    StatusServiceTest() {
        db::Index index = db::Index::open(file_);
        model_ = index.ensure_model("student", "aaaa");
        index.upsert_pending("/music/a.mp3", 1, 1);
    }

    StatusService::Snapshot snapshot() const {
        auto config = std::make_shared<config::Config>(config::default_config());
        config->database.path = file_;
        StatusService::Snapshot snapshot{config, "student", "aaaa", model_, 0, {}};
        snapshot.activity.pid = 42;
        return snapshot;
    }

    // Another program's connection that keeps every reader out until it closes.
    db::Connection exclusive_holder() const {
        db::Connection holder = db::Connection::open(file_, db::Connection::Mode::read_write_create);
        holder.execute("PRAGMA locking_mode = EXCLUSIVE");
        holder.execute("BEGIN EXCLUSIVE");
        holder.execute("UPDATE tracks SET size = size");
        holder.execute("COMMIT");
        return holder;
    }

    ScratchDir dir_;
    fs::path file_ = dir_ / "library.db";
    std::int64_t model_ = 0;
    ProblemBoard problems_;
};

TEST_F(StatusServiceTest, AnswersWithTheIndexCountsAndTheLoopsCounters) {
    StatusService service(problems_);
    std::promise<nlohmann::json> answer;
    service.request(snapshot(), [&](nlohmann::json status) { answer.set_value(std::move(status)); });
    const nlohmann::json status = answer.get_future().get();
    EXPECT_EQ(status.at("tracks").at("total"), 1);
    EXPECT_EQ(status.at("tracks").at("pending"), 1);
    EXPECT_EQ(status.at("daemon").at("pid"), 42);
}

TEST_F(StatusServiceTest, ARequestReturnsAtOnceWhileTheIndexCannotBeReadAndIsAnsweredAfter) {
    std::optional<db::Connection> holder = exclusive_holder();
    StatusService service(problems_);
    std::promise<nlohmann::json> answer;
    auto answered = answer.get_future();
    service.request(snapshot(), [&](nlohmann::json status) { answer.set_value(std::move(status)); });
    // Returned while the service waits for the lock (SQLite's busy wait).
    EXPECT_EQ(answered.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
    holder.reset();
    const nlohmann::json status = answered.get();
    EXPECT_TRUE(status.at("tracks").at("known"));
    EXPECT_EQ(status.at("tracks").at("total"), 1);
    EXPECT_FALSE(problems_.has(StatusService::kProblemArea));
}

TEST_F(StatusServiceTest, AnIndexThatStaysLockedIsAProblemInTheAnswer) {
    const db::Connection holder = exclusive_holder();
    StatusService service(problems_);
    std::promise<nlohmann::json> answer;
    service.request(snapshot(), [&](nlohmann::json status) { answer.set_value(std::move(status)); });
    const nlohmann::json status = answer.get_future().get();  // after the 5 s busy wait
    EXPECT_FALSE(status.at("tracks").at("known"));
    bool listed = false;
    for (const auto& problem : status.at("daemon").at("problems")) listed |= problem.at("area") == StatusService::kProblemArea;
    EXPECT_TRUE(listed) << status.dump(2);
}

}  // namespace
}  // namespace vibed::daemon
