// The crash-safety story: a writer killed with SIGKILL at an arbitrary moment
// leaves an intact index holding every batch it committed, each exactly once.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>

#include "db/index.hpp"
#include "tests/db/test_support.hpp"

namespace vibed::db {
namespace {

using testing::ok_record;
using testing::ScratchDir;

constexpr int kTracksPerBatch = 20;
constexpr std::int64_t kBatchesBeforeKill = 40;

std::string track_path(std::int64_t batch, int track) {
    return "/music/batch-" + std::to_string(batch) + "/track-" + std::to_string(track) + ".mp3";
}

// The child: queues and records batch after batch, reporting each committed
// batch number on `report_fd`, until it is killed.
[[noreturn]] void write_batches_forever(const std::filesystem::path& file, int report_fd) {
    try {
        Index index = Index::open(file);
        const std::int64_t model = index.ensure_model("student", "aaaa");
        for (std::int64_t batch = 0;; ++batch) {
            std::vector<FileVersion> files;
            std::vector<AnalysisRecord> records;
            for (int track = 0; track < kTracksPerBatch; ++track) {
                files.push_back({track_path(batch, track), 100, 1000});
                records.push_back(ok_record(track_path(batch, track), model, 0.5f));
            }
            index.upsert_pending(files);
            if (index.commit_results(records) != records.size()) _exit(3);
            if (write(report_fd, &batch, sizeof batch) != sizeof batch) _exit(4);
        }
    } catch (...) {
        _exit(2);
    }
}

std::int64_t count(Connection& connection, const std::string& sql, std::int64_t batch) {
    auto statement = connection.prepare(sql);
    statement.bind_all("/music/batch-" + std::to_string(batch) + "/%");
    EXPECT_TRUE(statement.step());
    return statement.column_int64(0);
}

TEST(CrashSafetyTest, SigkilledWriterLosesNoCommittedBatch) {
    ScratchDir dir;
    const auto file = dir / "library.db";
    Index::open(file);  // the schema exists before the child starts

    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        close(pipe_fds[0]);
        write_batches_forever(file, pipe_fds[1]);
    }
    close(pipe_fds[1]);

    std::int64_t last_committed = -1;
    std::int64_t reported = 0;
    while (reported < kBatchesBeforeKill && read(pipe_fds[0], &last_committed, sizeof last_committed) ==
                                                sizeof last_committed) {
        ++reported;
    }
    ASSERT_EQ(reported, kBatchesBeforeKill) << "the writer stopped early";
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status));
    // Batches committed between our last read and the kill.
    for (std::int64_t batch = 0; read(pipe_fds[0], &batch, sizeof batch) == sizeof batch;) last_committed = batch;
    close(pipe_fds[0]);

    Index index = Index::open(file);  // recovers the WAL
    const std::int64_t model = *index.find_model("aaaa");
    Connection raw = Connection::open(file, Connection::Mode::read_only);
    auto integrity = raw.prepare("PRAGMA integrity_check");
    ASSERT_TRUE(integrity.step());
    EXPECT_EQ(integrity.column_text(0), "ok");
    EXPECT_FALSE(raw.prepare("PRAGMA foreign_key_check").step());

    for (std::int64_t batch = 0; batch <= last_committed; ++batch) {
        EXPECT_EQ(count(raw, "SELECT count(*) FROM tracks WHERE status = 'ok' AND path LIKE ?", batch),
                  kTracksPerBatch)
            << "batch " << batch;
        EXPECT_EQ(count(raw, "SELECT count(*) FROM library WHERE path LIKE ?", batch), kTracksPerBatch)
            << "batch " << batch;
    }
    // The batch in flight is all there or not at all, never half.
    const std::int64_t in_flight =
        count(raw, "SELECT count(*) FROM tracks WHERE path LIKE ?", last_committed + 1);
    EXPECT_TRUE(in_flight == 0 || in_flight == kTracksPerBatch) << in_flight;
    EXPECT_EQ(index.stats(model).total, (last_committed + 1) * kTracksPerBatch + in_flight);
}

}  // namespace
}  // namespace vibed::db
