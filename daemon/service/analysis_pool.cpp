#include "daemon/service/analysis_pool.hpp"

#include <spdlog/spdlog.h>

namespace vibed::daemon {

AnalysisPool::AnalysisPool(std::shared_ptr<const core::TrackAnalyzer> analyzer, WorkQueue& queue, unsigned workers,
                           OutcomeHandler on_outcome)
    : analyzer_(std::move(analyzer)), queue_(queue), on_outcome_(std::move(on_outcome)) {
    for (unsigned i = 0; i < std::max(1u, workers); ++i) workers_.emplace_back([this] { run_worker(); });
}

AnalysisPool::~AnalysisPool() { stop(); }

void AnalysisPool::stop() {
    queue_.close();
    workers_.clear();  // jthread joins
}

PoolCounters AnalysisPool::counters() const {
    return {analysed_.load(), failed_.load(), deferred_.load(), in_flight_.load(),
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count()};
}

void AnalysisPool::run_worker() {
    while (auto file = queue_.pop()) {
        ++in_flight_;
        analyse_one(*file);
        --in_flight_;
    }
}

// A worker thread must survive anything one file does to it.
void AnalysisPool::analyse_one(const std::filesystem::path& file) noexcept {
    try {
        analyse_or_throw(file);
    } catch (const std::exception& e) {
        spdlog::error("{}: analysis worker: {}", file.string(), e.what());
    }
}

void AnalysisPool::analyse_or_throw(const std::filesystem::path& file) {
    const auto before = util::stamp_of(file);
    if (!before) return;  // gone already: the watcher or the next scan reports the removal
    AnalysisOutcome outcome{file, *before, std::nullopt, {}};
    try {
        outcome.analysis = analyzer_->analyze(file);
    } catch (const core::AnalysisError& e) {
        outcome.error = e.what();
        outcome.transient = e.transient();
    } catch (const std::bad_alloc&) {
        outcome.error = file.string() + ": out of memory";
        outcome.transient = true;
    } catch (const std::exception& e) {
        outcome.error = file.string() + ": " + e.what();
    }
    // A file replaced or still growing while we decoded it gives a result for
    // no version that exists: drop it; its close-after-write brings it back.
    if (util::stamp_of(file) != before) {
        spdlog::debug("{}: changed while being analysed; will retry once it settles", file.string());
        return;
    }
    if (outcome.analysis) {
        ++analysed_;
    } else if (outcome.transient) {
        ++deferred_;
        spdlog::warn("{}; will retry", outcome.error);
    } else {
        ++failed_;
        spdlog::warn("{}", outcome.error);
    }
    on_outcome_(std::move(outcome));
}

}  // namespace vibed::daemon
