#pragma once
// The daemon's single writer to the index. Analysis outcomes arrive from the
// worker threads and are committed in batches (one transaction per batch, so
// a crash loses at most one batch of work and never leaves half a row); every
// other write goes through with_index() under the same lock.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "daemon/service/analysis_pool.hpp"
#include "db/index.hpp"

namespace vibed::daemon {

class IndexWriter {
public:
    // Called on the writer thread after each successful commit with the number
    // of results stored.
    using CommitHandler = std::function<void(std::size_t stored)>;

    IndexWriter(db::Index index, std::int64_t model_id, CommitHandler on_commit);
    // Commits what is left, then stops the writer thread.
    ~IndexWriter();
    IndexWriter(const IndexWriter&) = delete;
    IndexWriter& operator=(const IndexWriter&) = delete;

    // Thread-safe; never blocks on the database.
    void add(AnalysisOutcome&& outcome);

    // Commits everything received so far before returning.
    void flush();

    // Runs `work` with exclusive use of the index. Exceptions propagate.
    template <typename Work>
    auto with_index(Work&& work) {
        std::lock_guard lock(index_mutex_);
        return work(index_);
    }

    void set_model(std::int64_t model_id);

private:
    void run();
    void commit(std::vector<db::AnalysisRecord>& batch);

    db::Index index_;
    std::mutex index_mutex_;
    std::int64_t model_id_;
    CommitHandler on_commit_;

    std::mutex queue_mutex_;
    std::condition_variable wake_;
    std::condition_variable flushed_;
    std::vector<db::AnalysisRecord> incoming_;
    std::uint64_t received_ = 0;
    std::uint64_t committed_ = 0;  // received_ value covered by the last commit
    bool flush_requested_ = false;
    bool stopping_ = false;
    std::jthread thread_;
};

}  // namespace vibed::daemon
