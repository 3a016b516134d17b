#pragma once
// The bounded queue between whoever finds work (scanner, watcher) and the
// analysis workers. Bounded so that memory stays flat however big the
// library; de-duplicated so that a file reported five times is analysed once.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>

namespace vibed::daemon {

class WorkQueue {
public:
    enum class PushResult { queued, duplicate, full, closed };

    explicit WorkQueue(std::size_t capacity);

    // Never blocks: the event loop must stay responsive.
    PushResult try_push(const std::filesystem::path& file);
    // Blocks while the queue is full (the scanner thread applies back-pressure
    // this way). Returns false once the queue is closed.
    bool push(const std::filesystem::path& file);
    // Blocks until there is work; nullopt once closed.
    std::optional<std::filesystem::path> pop();
    // Wakes everyone; queued files are dropped: they are still 'pending' in
    // the index and the next start-up scan finds them again.
    void close();
    // Accepts work again after close() (a pipeline restart).
    void reopen();

    [[nodiscard]] std::size_t size() const;

private:
    mutable std::mutex mutex_;
    std::condition_variable not_empty_;
    std::condition_variable not_full_;
    std::deque<std::filesystem::path> files_;
    std::set<std::filesystem::path> queued_;
    std::size_t capacity_;
    bool closed_ = false;
};

}  // namespace vibed::daemon
