#pragma once
// The one thread primitive the daemon's services are built on (the scan
// service, the playlist publisher): a thread of its own that serves one
// request at a time. Requests made while it is busy wait as ONE request:
// `Request::merge(Request&& newer)` folds a newer request into the waiting
// one (the newest configuration wins, a whole-library scan swallows the
// narrower ones), so a burst of events costs one more run, not a backlog.
// A request that fails is served again after a back-off unless a newer one
// arrives first. Stopping wakes the thread and joins it; the serve function
// sees the stop token and should return early.
//
// Modelled on MPD's update service (src/db/update/Service.hxx): the service
// owns its thread and reports up through its owner's callbacks; nothing
// outside touches what the thread works on.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <utility>

#include "core/util/backoff.hpp"

namespace vibed::daemon {

template <typename Request>
class CoalescingWorker {
public:
    // Runs on the worker's thread. Returns false when the request failed and
    // should be served again after `retry`'s delay (ignored without one).
    using Serve = std::function<bool(Request& request, std::stop_token stop)>;

    explicit CoalescingWorker(Serve serve, std::optional<util::Backoff> retry = std::nullopt)
        : serve_(std::move(serve)), retry_(retry), thread_([this](std::stop_token stop) { run(stop); }) {}
    ~CoalescingWorker() { stop(); }
    CoalescingWorker(const CoalescingWorker&) = delete;
    CoalescingWorker& operator=(const CoalescingWorker&) = delete;

    // Never blocks on the work itself.
    void post(Request request) {
        {
            std::lock_guard lock(mutex_);
            if (pending_) {
                pending_->merge(std::move(request));
            } else {
                pending_.emplace(std::move(request));
            }
            fresh_ = true;
        }
        wake_.notify_one();
    }

    // Asks the serve function to return, drops what waits, joins the thread.
    void stop() {
        if (!thread_.joinable()) return;
        thread_.request_stop();
        thread_.join();
    }

    // Neither serving nor holding a request that waits (a failed one waiting
    // for its retry counts as waiting).
    [[nodiscard]] bool idle() const {
        std::lock_guard lock(mutex_);
        return !serving_ && !pending_;
    }

    // Requests served to the end, successfully or not.
    [[nodiscard]] std::uint64_t completed() const {
        std::lock_guard lock(mutex_);
        return completed_;
    }

private:
    void run(std::stop_token stop) {
        int failures = 0;
        std::unique_lock lock(mutex_);
        while (!stop.stop_requested()) {
            if (failures > 0 && retry_) {
                // The failed request stays pending: served again after the
                // back-off, or at once when a newer one merges into it.
                wake_.wait_for(lock, stop, retry_->after(failures), [&] { return fresh_; });
            } else if (!wake_.wait(lock, stop, [&] { return pending_.has_value(); })) {
                return;
            }
            if (stop.stop_requested() || !pending_) continue;
            Request request = std::move(*pending_);
            pending_.reset();
            fresh_ = false;
            serving_ = true;
            lock.unlock();
            const bool ok = serve_(request, stop);
            lock.lock();
            serving_ = false;
            ++completed_;
            failures = ok || !retry_ ? 0 : failures + 1;
            if (!ok && retry_) {
                // Served again unless a newer request arrived meanwhile
                // (which then carries the newest state anyway).
                if (pending_) {
                    request.merge(std::move(*pending_));
                }
                pending_.emplace(std::move(request));
            }
        }
    }

    Serve serve_;
    const std::optional<util::Backoff> retry_;
    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    std::optional<Request> pending_;
    bool fresh_ = false;  // posted since the last request was taken
    bool serving_ = false;
    std::uint64_t completed_ = 0;
    std::jthread thread_;  // last: starts once everything above exists
};

}  // namespace vibed::daemon
