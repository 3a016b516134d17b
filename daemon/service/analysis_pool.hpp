#pragma once
// N worker threads that take files from the WorkQueue, analyse them with the
// one shared model and hand every outcome on. Also keeps the numbers that
// `vibectl status` shows.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/analysis/track_analyzer.hpp"
#include "core/util/file_stamp.hpp"
#include "daemon/service/work_queue.hpp"

namespace vibed::daemon {

struct AnalysisOutcome {
    std::filesystem::path path;
    util::FileStamp stamp;  // of the version that was analysed
    std::optional<core::TrackAnalysis> analysis;  // empty on failure
    std::string error;                            // "<file>: <reason>" on failure
    // The failure was resource trouble (out of descriptors or memory, an I/O
    // error), not the file's fault: retry later, never record it.
    bool transient = false;
};

struct PoolCounters {
    std::uint64_t analysed = 0;  // successes since start
    std::uint64_t failed = 0;
    std::uint64_t deferred = 0;  // transient failures, to be retried
    std::uint64_t in_flight = 0;
    double seconds_running = 0;
};

class AnalysisPool {
public:
    // Called on worker threads; must be thread-safe and must not throw.
    using OutcomeHandler = std::function<void(AnalysisOutcome&&)>;

    AnalysisPool(std::shared_ptr<const core::TrackAnalyzer> analyzer, WorkQueue& queue, unsigned workers,
                 OutcomeHandler on_outcome);
    // Stops as stop() does.
    ~AnalysisPool();
    AnalysisPool(const AnalysisPool&) = delete;
    AnalysisPool& operator=(const AnalysisPool&) = delete;

    // Closes the queue and waits for the files in flight to finish.
    void stop();

    [[nodiscard]] PoolCounters counters() const;

private:
    void run_worker();
    void analyse_one(const std::filesystem::path& file) noexcept;
    void analyse_or_throw(const std::filesystem::path& file);

    std::shared_ptr<const core::TrackAnalyzer> analyzer_;
    WorkQueue& queue_;
    OutcomeHandler on_outcome_;
    std::atomic<std::uint64_t> analysed_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::atomic<std::uint64_t> deferred_{0};
    std::atomic<std::uint64_t> in_flight_{0};
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::vector<std::jthread> workers_;
};

}  // namespace vibed::daemon
