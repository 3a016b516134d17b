#pragma once
// The scan service: brings the index in line with the disk (sync_folders) on
// a thread of its own. Scans asked for while one runs are merged: a
// whole-library scan swallows the folder scans waiting beside it. Its owner
// hears of each finished scan through ScanListener, on the scan thread.

#include <atomic>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

#include "daemon/service/coalescing_worker.hpp"
#include "daemon/service/index_writer.hpp"
#include "daemon/service/library_sync.hpp"
#include "daemon/service/problem_board.hpp"
#include "daemon/service/work_queue.hpp"

namespace vibed::daemon {

class ScanListener {
public:
    // On the scan thread; must not block (post to the owner's loop).
    // `folder`: nullopt for the whole library.
    virtual void on_scan_finished(const std::optional<std::filesystem::path>& folder, const SyncReport& report) = 0;

protected:
    ~ScanListener() = default;
};

class ScanService {
public:
    // Reports scan failures in `problems` (area "scan"), clears them after a
    // scan that worked.
    ScanService(IndexWriter& writer, WorkQueue& queue, ProblemBoard& problems, ScanListener& listener);
    ~ScanService();
    ScanService(const ScanService&) = delete;
    ScanService& operator=(const ScanService&) = delete;

    // The configuration the next scan works with.
    void set_settings(ScanSettings settings);

    // Starts the thread (again, after stop()).
    void start();
    // Asks the running scan to end early, unblocks it when it waits for room
    // in the work queue, and joins the thread. Requests still waiting are dropped.
    void stop();

    // nullopt: the whole library.
    void request(std::optional<std::filesystem::path> folder);

    // Nothing scanning and nothing waiting to be scanned.
    [[nodiscard]] bool idle() const;
    [[nodiscard]] bool scanning() const;
    [[nodiscard]] std::uint64_t scans_completed() const;

private:
    struct Request {
        std::deque<std::optional<std::filesystem::path>> folders;  // nullopt = whole library
        void merge(Request&& newer);
    };
    bool serve(Request& request, std::stop_token stop);
    void scan(const std::optional<std::filesystem::path>& folder, const ScanSettings& settings);

    IndexWriter& writer_;
    WorkQueue& queue_;
    ProblemBoard& problems_;
    ScanListener& listener_;

    mutable std::mutex settings_mutex_;
    ScanSettings settings_;
    std::atomic<bool> abort_{false};      // read by sync_folders between files
    std::atomic<bool> scanning_{false};
    std::atomic<std::uint64_t> completed_{0};  // survives restarts of the worker
    std::unique_ptr<CoalescingWorker<Request>> worker_;  // last: its thread uses the members above
};

}  // namespace vibed::daemon
