#pragma once
// The daemon's single writer to the index, on a thread of its own. Analysis
// outcomes arrive from the worker threads and file events from the event loop
// as commands; all are applied in the order they arrived, results committed in
// batches (one transaction per batch, so a crash loses at most one batch and
// never leaves half a row).
//
// The database may refuse for a while (locked by another process, disk full,
// read-only, I/O errors): nothing is lost then. What was not applied stays
// queued and is retried with back-off, and the problem is shown by `vibectl
// status` until a write succeeds. Only a command that fails for a reason of
// its own (never resource trouble) is dropped, with a log line.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "daemon/service/analysis_pool.hpp"
#include "core/util/backoff.hpp"
#include "core/util/file_stamp.hpp"
#include "daemon/service/problem_board.hpp"
#include "db/index.hpp"

namespace vibed::daemon {

// The file events the event loop turns into index writes.
struct RemoveTrack {
    std::filesystem::path path;
};
struct RemoveFolder {
    std::filesystem::path folder;
};
struct MoveTrack {
    std::filesystem::path from, to;
    // Called on the writer thread once applied: whether `from` was indexed.
    std::function<void(bool was_indexed)> then;
};
struct MoveFolder {
    std::filesystem::path from, to;
};
// A file that settled: marked pending unless the index already holds this
// version's result (a player or tagger that only read it).
struct MarkForAnalysis {
    std::filesystem::path path;
    util::FileStamp stamp;
    // Called on the writer thread once applied: whether it needs analysing.
    std::function<void(bool needs_analysis)> then;
};
// The scan service's writes: files marked pending (before they are queued:
// a result is only stored for a file the index knows) and tracks forgotten
// (gone from the disk, or outside the library). `then` runs on the writer
// thread once applied.
struct MarkPending {
    std::vector<db::FileVersion> files;
    std::function<void()> then;
};
struct ForgetTracks {
    std::vector<std::filesystem::path> paths;
    std::function<void()> then;
};
using IndexCommand =
    std::variant<RemoveTrack, RemoveFolder, MoveTrack, MoveFolder, MarkForAnalysis, MarkPending, ForgetTracks>;

class IndexWriter {
public:
    // Called on the writer thread after each successful commit with the number
    // of results stored.
    using CommitHandler = std::function<void(std::size_t stored)>;
    // Called on the writer thread when the database accepts writes again
    // after refusing them; `results_dropped` says whether results had to be
    // let go meanwhile (their files are still 'pending': a scan redoes them).
    using RecoveryHandler = std::function<void(bool results_dropped)>;

    IndexWriter(db::Index index, std::int64_t model_id, ProblemBoard& problems, CommitHandler on_commit,
                RecoveryHandler on_recovery = {});
    // Commits what it can, then stops the writer thread.
    ~IndexWriter();
    IndexWriter(const IndexWriter&) = delete;
    IndexWriter& operator=(const IndexWriter&) = delete;

    // Thread-safe; never blocks on the database.
    void add(AnalysisOutcome&& outcome);
    void add(IndexCommand command);

    // Waits (at most `timeout`) until everything received so far is applied.
    // Returns false when the time ran out (the database refuses writes).
    bool flush(std::chrono::milliseconds timeout = std::chrono::seconds(30));

    // For the scan service (its own thread). The snapshot it diffs the disk
    // against, read over a read-only connection of its own (retried while
    // the database has resource trouble, until it works or `stop` is set;
    // other errors, and the last one when stopped, propagate).
    std::vector<db::TrackFileState> file_states(std::int64_t model_id, const std::atomic<bool>& stop);
    // MarkPending and ForgetTracks sent as commands, in order with the
    // loop's, waiting until the writer thread applied them (it retries
    // resource trouble itself). False when `stop` was set first: then the
    // command may still be applied later.
    bool mark_pending(std::span<const db::FileVersion> files, const std::atomic<bool>& stop);
    bool forget(std::span<const std::filesystem::path> paths, const std::atomic<bool>& stop);

    // For the model set-up (start-up, a reload): errors propagate.
    std::int64_t register_model(std::string_view name, std::string_view sha256);
    std::vector<db::StoredInputs> stale_moods(std::int64_t mood_model_id, std::size_t limit);
    void store_moods(std::int64_t mood_model_id, std::span<const db::MoodUpdate> updates);
    std::vector<db::StoredInputs> stale_vectors(std::int64_t similarity_model_id, std::size_t limit);
    void store_vectors(std::int64_t similarity_model_id, std::span<const db::VectorUpdate> updates);

    [[nodiscard]] const std::filesystem::path& database_file() const { return database_file_; }

    void set_model(std::int64_t model_id);
    // The mood model whose moods arrive with the results (0: none).
    void set_mood_model(std::int64_t mood_model_id);
    // The similarity model whose vectors arrive with the results (0: none).
    void set_similarity_model(std::int64_t similarity_model_id);

    // Results and commands received but not yet applied.
    [[nodiscard]] std::size_t backlog() const;

    static constexpr const char* kProblemArea = "database";
    // Resource trouble is retried after 250 ms, then twice as long each time, at least every 10 s.
    static constexpr util::Backoff kRetry{std::chrono::milliseconds(250), std::chrono::milliseconds(10'000)};
    // SQLite's message plus what the user can do about it ("free some disk
    // space", "delete it to rebuild" for a damaged index, ...).
    static std::string explain(const db::SqliteError& error, const std::filesystem::path& database);

private:
    using Entry = std::variant<db::AnalysisRecord, IndexCommand>;

    // Runs `work` with exclusive use of the index. Exceptions propagate.
    template <typename Work>
    auto with_index(Work&& work) {
        std::lock_guard lock(index_mutex_);
        return work(index_);
    }

    void run();
    // Applies the backlog front to back; false when the database refused
    // (what is left stays for the next attempt).
    bool apply_backlog();
    std::size_t apply_records(std::size_t count);
    void apply_command(IndexCommand& command);
    void drop_excess_results();
    void report_database_problem(const db::SqliteError& error);
    static void wait_or_stop(std::chrono::milliseconds delay, const std::atomic<bool>& stop);
    // Sends a command whose `then` is set here and waits for it (or `stop`).
    template <typename Command>
    bool apply_and_wait(Command command, const std::atomic<bool>& stop);

    db::Index index_;
    const std::filesystem::path database_file_;
    std::mutex index_mutex_;
    std::atomic<std::int64_t> model_id_;
    std::atomic<std::int64_t> mood_model_id_ = 0;
    std::atomic<std::int64_t> similarity_model_id_ = 0;
    ProblemBoard& problems_;
    CommitHandler on_commit_;
    RecoveryHandler on_recovery_;

    mutable std::mutex queue_mutex_;
    std::condition_variable wake_;
    std::condition_variable flushed_;
    std::vector<Entry> incoming_;
    std::size_t incoming_results_ = 0;
    std::uint64_t received_ = 0;
    std::uint64_t applied_ = 0;  // received_ value covered by what is applied
    std::size_t backlog_size_ = 0;  // backlog_.size(), readable under queue_mutex_
    bool flush_requested_ = false;
    bool command_waiting_ = false;
    bool stopping_ = false;

    // Writer thread only.
    std::deque<Entry> backlog_;
    bool refused_ = false;          // the last attempt failed with resource trouble
    bool dropped_results_ = false;  // since the database began refusing
    std::jthread thread_;
};

}  // namespace vibed::daemon
