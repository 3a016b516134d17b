#include "daemon/service/index_writer.hpp"

#include <future>

#include <spdlog/spdlog.h>

#include "daemon/service/analysis_need.hpp"

namespace vibed::daemon {
namespace {

// Big enough that a mass import is not one transaction per track, small
// enough that a crash or a shutdown loses little.
constexpr std::size_t kBatchSize = 64;
constexpr auto kMaxBatchAge = std::chrono::seconds(2);
// While the database refuses writes (disk full, read-only), keep at most this
// many results; older ones stay 'pending' in the index and are redone later.
constexpr std::size_t kMaxHeldResults = 4096;

bool is_record(const auto& entry) { return std::holds_alternative<db::AnalysisRecord>(entry); }

std::string describe(const IndexCommand& command) {
    return std::visit(
        [](const auto& c) -> std::string {
            using C = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<C, RemoveTrack>) return "forget " + c.path.string();
            if constexpr (std::is_same_v<C, RemoveFolder>) return "forget the tracks under " + c.folder.string();
            if constexpr (std::is_same_v<C, MoveTrack>) return "move " + c.from.string() + " to " + c.to.string();
            if constexpr (std::is_same_v<C, MoveFolder>) return "move " + c.from.string() + " to " + c.to.string();
            if constexpr (std::is_same_v<C, MarkForAnalysis>) return "mark " + c.path.string() + " for analysis";
            if constexpr (std::is_same_v<C, MarkPending>) return "mark " + std::to_string(c.files.size()) + " files pending";
            if constexpr (std::is_same_v<C, ForgetTracks>) return "forget " + std::to_string(c.paths.size()) + " tracks";
        },
        command);
}

// What the user can do about it, after SQLite's own message.
std::string advice_for(const db::SqliteError& error, const std::filesystem::path& file) {
    if (error.is_damaged()) {
        return "; the index is damaged: stop vibed, delete " + file.string() +
               " (with its -wal and -shm files) and start vibed again to rebuild it";
    }
    using Trouble = db::SqliteError::Trouble;
    switch (error.trouble()) {
        case Trouble::disk_full: return "; free some disk space (vibed keeps retrying)";
        case Trouble::locked: return "; another program holds the database (vibed keeps retrying)";
        case Trouble::read_only:
            return "; the database cannot be written: read-only file, folder or mount? (vibed keeps retrying)";
        default: return "; vibed keeps retrying";
    }
}

// A callback of ours must not take the writer thread down.
template <typename Callback, typename... Args>
void call_safely(const Callback& callback, Args... args) noexcept {
    if (!callback) return;
    try {
        callback(args...);
    } catch (const std::exception& e) {
        spdlog::error("index writer: a follow-up failed: {}", e.what());
    }
}

// A dropped scan command still ends its sender's wait (the scan carries on
// and the next one tries again); the loop's commands have no one waiting.
void release_waiter(IndexCommand& command) {
    if (auto* mark = std::get_if<MarkPending>(&command)) call_safely(mark->then);
    if (auto* forget = std::get_if<ForgetTracks>(&command)) call_safely(forget->then);
}

}  // namespace

IndexWriter::IndexWriter(db::Index index, std::int64_t model_id, ProblemBoard& problems, CommitHandler on_commit,
                         RecoveryHandler on_recovery)
    : index_(std::move(index)),
      database_file_(index_.file()),
      model_id_(model_id),
      problems_(problems),
      on_commit_(std::move(on_commit)),
      on_recovery_(std::move(on_recovery)),
      thread_([this] { run(); }) {}

IndexWriter::~IndexWriter() {
    {
        std::lock_guard lock(queue_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_ = {};  // joins after the final attempt
    // The whole index in library.db, none of it left only in the WAL (a
    // backup of the one file, a read-only copy). SQLite also removes the WAL
    // when this, the last connection, closes; the checkpoint makes the file
    // whole even if another process still holds one open.
    try {
        index_.checkpoint();
    } catch (const std::exception& e) {
        spdlog::warn("{}", e.what());
    }
}

void IndexWriter::set_model(std::int64_t model_id) {
    std::lock_guard lock(queue_mutex_);
    model_id_ = model_id;
}

void IndexWriter::set_mood_model(std::int64_t mood_model_id) {
    std::lock_guard lock(queue_mutex_);
    mood_model_id_ = mood_model_id;
}

void IndexWriter::set_similarity_model(std::int64_t similarity_model_id) {
    std::lock_guard lock(queue_mutex_);
    similarity_model_id_ = similarity_model_id;
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
        record.features = outcome.analysis->features;
        record.moods = outcome.analysis->moods;
        record.mood_model_id = mood_model_id_;
        record.vector = std::move(outcome.analysis->vector);
        record.similarity_model_id = similarity_model_id_;
        record.embedding = std::move(outcome.analysis->embedding);
    } else {
        record.error = std::move(outcome.error);
    }
    incoming_.emplace_back(std::move(record));
    ++received_;
    if (++incoming_results_ >= kBatchSize) wake_.notify_all();
}

void IndexWriter::add(IndexCommand command) {
    {
        std::lock_guard lock(queue_mutex_);
        incoming_.emplace_back(std::move(command));
        ++received_;
        command_waiting_ = true;  // a deletion should not wait for a batch to fill
    }
    wake_.notify_all();
}

bool IndexWriter::flush(std::chrono::milliseconds timeout) {
    std::unique_lock lock(queue_mutex_);
    const std::uint64_t target = received_;
    flush_requested_ = true;
    wake_.notify_all();
    return flushed_.wait_for(lock, timeout, [&] { return applied_ >= target || stopping_; }) && applied_ >= target;
}

std::size_t IndexWriter::backlog() const {
    std::lock_guard lock(queue_mutex_);
    return backlog_size_ + incoming_.size();
}

void IndexWriter::run() {
    std::unique_lock lock(queue_mutex_);
    util::Backoff backoff = kRetry;
    while (true) {
        // While the database refuses, new work does not cut the back-off short.
        const auto timeout = refused_ ? backoff.delay() : std::chrono::duration_cast<std::chrono::milliseconds>(kMaxBatchAge);
        wake_.wait_for(lock, timeout, [&] {
            return stopping_ || (!refused_ && (flush_requested_ || command_waiting_ || incoming_results_ >= kBatchSize));
        });
        const bool stop = stopping_;
        flush_requested_ = false;
        command_waiting_ = false;
        for (auto& entry : incoming_) backlog_.push_back(std::move(entry));
        incoming_.clear();
        incoming_results_ = 0;
        const std::uint64_t covered = received_;
        lock.unlock();
        const bool all_applied = apply_backlog();
        lock.lock();
        backlog_size_ = backlog_.size();
        if (all_applied) applied_ = covered;
        if (all_applied) {
            backoff.succeeded();
        } else {
            backoff.failed();
        }
        flushed_.notify_all();
        if (stop) {
            if (!all_applied) {
                spdlog::error("{}: {} results and changes could not be stored before stopping; the files stay "
                              "pending and are analysed again at the next start",
                              index_.file().string(), backlog_.size());
            }
            return;
        }
    }
}

bool IndexWriter::apply_backlog() {
    try {
        while (!backlog_.empty()) {
            if (is_record(backlog_.front())) {
                std::size_t count = 0;
                while (count < backlog_.size() && count < kMaxHeldResults && is_record(backlog_[count])) ++count;
                const std::size_t stored = apply_records(count);
                backlog_.erase(backlog_.begin(), backlog_.begin() + static_cast<std::ptrdiff_t>(count));
                call_safely(on_commit_, stored);
            } else {
                apply_command(std::get<IndexCommand>(backlog_.front()));
                backlog_.pop_front();
            }
        }
    } catch (const db::SqliteError& e) {
        report_database_problem(e);
        refused_ = true;
        drop_excess_results();
        return false;
    } catch (const std::bad_alloc&) {
        problems_.report(kProblemArea, index_.file().string() + ": out of memory while writing; vibed keeps retrying");
        refused_ = true;
        return false;
    }
    if (refused_) {
        refused_ = false;
        problems_.clear(kProblemArea);
        call_safely(on_recovery_, dropped_results_);
        dropped_results_ = false;
    }
    return true;
}

// Throws SqliteError for resource trouble (nothing stored: retry them all);
// a result refused for a reason of its own is dropped with a log line.
std::size_t IndexWriter::apply_records(std::size_t count) {
    std::vector<db::AnalysisRecord> batch;
    batch.reserve(count);
    for (std::size_t i = 0; i < count; ++i) batch.push_back(std::get<db::AnalysisRecord>(backlog_[i]));
    std::lock_guard lock(index_mutex_);
    try {
        return index_.commit_results(batch);
    } catch (const db::SqliteError& e) {
        if (e.is_transient() || e.is_damaged()) throw;
    }
    std::size_t stored = 0;
    for (const auto& record : batch) {
        try {
            stored += index_.record_result(record) ? 1 : 0;
        } catch (const db::SqliteError& e) {
            if (e.is_transient() || e.is_damaged()) throw;
            spdlog::error("{}: result not stored: {}", record.path.string(), e.what());
        }
    }
    return stored;
}

void IndexWriter::apply_command(IndexCommand& command) {
    std::lock_guard lock(index_mutex_);
    try {
        std::visit(
            [&](auto& c) {
                using C = std::decay_t<decltype(c)>;
                if constexpr (std::is_same_v<C, RemoveTrack>) {
                    index_.remove_path(c.path);
                } else if constexpr (std::is_same_v<C, RemoveFolder>) {
                    index_.remove_prefix(c.folder);
                } else if constexpr (std::is_same_v<C, MoveTrack>) {
                    call_safely(c.then, index_.rename_path(c.from, c.to));
                } else if constexpr (std::is_same_v<C, MoveFolder>) {
                    index_.rename_prefix(c.from, c.to);
                } else if constexpr (std::is_same_v<C, MarkForAnalysis>) {
                    const bool needed = needs_analysis(index_.file_state(c.path, model_id_), c.stamp);
                    if (needed) index_.upsert_pending(c.path, c.stamp.size, c.stamp.mtime_ns);
                    call_safely(c.then, needed);
                } else if constexpr (std::is_same_v<C, MarkPending>) {
                    index_.upsert_pending(c.files);
                    call_safely(c.then);
                } else if constexpr (std::is_same_v<C, ForgetTracks>) {
                    for (const auto& path : c.paths) index_.remove_path(path);
                    call_safely(c.then);
                }
            },
            command);
    } catch (const db::SqliteError& e) {
        if (e.is_transient() || e.is_damaged()) throw;
        spdlog::error("{}: cannot {}: {}; dropped", index_.file().string(), describe(command), e.what());
        release_waiter(command);
    } catch (const db::DatabaseError& e) {
        spdlog::error("{}: cannot {}: {}; dropped", index_.file().string(), describe(command), e.what());
        release_waiter(command);
    }
}

void IndexWriter::drop_excess_results() {
    std::size_t results = 0;
    for (const auto& entry : backlog_) results += is_record(entry) ? 1 : 0;
    if (results <= kMaxHeldResults) return;
    std::size_t to_drop = results - kMaxHeldResults;
    for (auto it = backlog_.begin(); it != backlog_.end() && to_drop > 0;) {
        if (is_record(*it)) {
            it = backlog_.erase(it);
            --to_drop;
        } else {
            ++it;
        }
    }
    if (!dropped_results_) {
        spdlog::warn("{}: holding at most {} results while the database refuses writes; older ones will be "
                     "analysed again once it accepts them",
                     index_.file().string(), kMaxHeldResults);
    }
    dropped_results_ = true;
}

std::string IndexWriter::explain(const db::SqliteError& error, const std::filesystem::path& database) {
    return std::string(error.what()) + advice_for(error, database);
}

void IndexWriter::report_database_problem(const db::SqliteError& error) {
    problems_.report(kProblemArea, explain(error, index_.file()));
}

void IndexWriter::wait_or_stop(std::chrono::milliseconds delay, const std::atomic<bool>& stop) {
    constexpr auto kStep = std::chrono::milliseconds(50);
    for (auto waited = std::chrono::milliseconds(0); waited < delay && !stop; waited += kStep) {
        std::this_thread::sleep_for(kStep);
    }
}

std::vector<db::TrackFileState> IndexWriter::file_states(std::int64_t model_id, const std::atomic<bool>& stop) {
    bool reported = false;
    for (util::Backoff backoff = kRetry;;) {
        try {
            auto states = db::Index::open_readonly(database_file_).all_file_states(model_id);
            if (reported) problems_.clear(kProblemArea);
            return states;
        } catch (const db::SqliteError& e) {
            if (!e.is_transient() || stop) throw;
            report_database_problem(e);
            reported = true;
        }
        wait_or_stop(backoff.failed(), stop);
    }
}

template <typename Command>
bool IndexWriter::apply_and_wait(Command command, const std::atomic<bool>& stop) {
    // Shared: a command still queued when the caller stops outlives its wait.
    auto applied = std::make_shared<std::promise<void>>();
    auto done = applied->get_future();
    command.then = [applied] { applied->set_value(); };
    add(IndexCommand(std::move(command)));
    while (done.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
        if (stop) return false;
    }
    return true;
}

bool IndexWriter::mark_pending(std::span<const db::FileVersion> files, const std::atomic<bool>& stop) {
    return apply_and_wait(MarkPending{{files.begin(), files.end()}, {}}, stop);
}

bool IndexWriter::forget(std::span<const std::filesystem::path> paths, const std::atomic<bool>& stop) {
    return apply_and_wait(ForgetTracks{{paths.begin(), paths.end()}, {}}, stop);
}

std::int64_t IndexWriter::register_model(std::string_view name, std::string_view sha256) {
    return with_index([&](db::Index& index) { return index.ensure_model(name, sha256); });
}

std::vector<db::StoredInputs> IndexWriter::stale_moods(std::int64_t mood_model_id, std::size_t limit) {
    return with_index([&](db::Index& index) { return index.stale_moods(model_id_, mood_model_id, limit); });
}

void IndexWriter::store_moods(std::int64_t mood_model_id, std::span<const db::MoodUpdate> updates) {
    with_index([&](db::Index& index) { index.store_moods(model_id_, mood_model_id, updates); });
}

std::vector<db::StoredInputs> IndexWriter::stale_vectors(std::int64_t similarity_model_id, std::size_t limit) {
    return with_index([&](db::Index& index) { return index.stale_vectors(model_id_, similarity_model_id, limit); });
}

void IndexWriter::store_vectors(std::int64_t similarity_model_id, std::span<const db::VectorUpdate> updates) {
    with_index([&](db::Index& index) { index.store_vectors(model_id_, similarity_model_id, updates); });
}

}  // namespace vibed::daemon
