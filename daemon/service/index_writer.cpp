#include "daemon/service/index_writer.hpp"

#include <spdlog/spdlog.h>

namespace vibed::daemon {
namespace {

// Big enough that a mass import is not one transaction per track, small
// enough that a crash or a shutdown loses little.
constexpr std::size_t kBatchSize = 64;
constexpr auto kMaxBatchAge = std::chrono::seconds(2);
// While the database refuses writes (disk full, read-only), keep at most this
// many results; older ones stay 'pending' in the index and are redone later.
constexpr std::size_t kMaxHeldResults = 4096;

}  // namespace

IndexWriter::IndexWriter(db::Index index, std::int64_t model_id, CommitHandler on_commit)
    : index_(std::move(index)), model_id_(model_id), on_commit_(std::move(on_commit)), thread_([this] { run(); }) {}

IndexWriter::~IndexWriter() {
    {
        std::lock_guard lock(queue_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_ = {};  // joins after the final commit
}

void IndexWriter::set_model(std::int64_t model_id) {
    std::lock_guard lock(queue_mutex_);
    model_id_ = model_id;
}

void IndexWriter::add(AnalysisOutcome&& outcome) {
    std::lock_guard lock(queue_mutex_);
    db::AnalysisRecord record;
    record.path = std::move(outcome.path);
    record.size = outcome.stamp.size;
    record.mtime_ns = outcome.stamp.mtime_ns;
    record.model_id = model_id_;
    if (outcome.analysis) {
        record.tags = std::move(outcome.analysis->tags);
        record.attributes = outcome.analysis->attributes;
    } else {
        record.error = std::move(outcome.error);
    }
    incoming_.push_back(std::move(record));
    ++received_;
    if (incoming_.size() >= kBatchSize) wake_.notify_all();
}

void IndexWriter::flush() {
    std::unique_lock lock(queue_mutex_);
    const std::uint64_t target = received_;
    flush_requested_ = true;
    wake_.notify_all();
    flushed_.wait_for(lock, std::chrono::seconds(30), [&] { return committed_ >= target || stopping_; });
}

void IndexWriter::run() {
    std::vector<db::AnalysisRecord> batch;
    std::unique_lock lock(queue_mutex_);
    while (true) {
        wake_.wait_for(lock, kMaxBatchAge, [&] { return stopping_ || flush_requested_ || incoming_.size() >= kBatchSize; });
        const bool stop = stopping_;
        flush_requested_ = false;
        std::move(incoming_.begin(), incoming_.end(), std::back_inserter(batch));
        incoming_.clear();
        const std::uint64_t covered = received_;
        lock.unlock();
        if (!batch.empty()) commit(batch);
        lock.lock();
        if (batch.empty()) committed_ = covered;
        flushed_.notify_all();
        if (stop) return;
    }
}

void IndexWriter::commit(std::vector<db::AnalysisRecord>& batch) {
    try {
        std::size_t stored = 0;
        {
            std::lock_guard lock(index_mutex_);
            stored = index_.commit_results(batch);
        }
        batch.clear();
        if (on_commit_) on_commit_(stored);
    } catch (const std::exception& e) {
        spdlog::error("{}: cannot store {} results: {}; will retry", index_.file().string(), batch.size(), e.what());
        if (batch.size() > kMaxHeldResults) {
            batch.erase(batch.begin(), batch.end() - static_cast<std::ptrdiff_t>(kMaxHeldResults));
        }
    }
}

}  // namespace vibed::daemon
