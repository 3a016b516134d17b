#pragma once
// Files reported by the watcher wait here until they stop changing: a file is
// ready once it has kept the same size and mtime for the settle time after
// its last event (copies in progress, downloads, tag editors saving twice).

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <vector>

#include "core/util/file_stamp.hpp"

namespace vibed::daemon {

class SettleQueue {
public:
    using Clock = std::chrono::steady_clock;

    explicit SettleQueue(Clock::duration settle_time) : settle_time_(settle_time) {}

    void set_settle_time(Clock::duration settle_time) { settle_time_ = settle_time; }

    // (Re)starts the wait for `file`.
    void touch(const std::filesystem::path& file, Clock::time_point now = Clock::now());
    // Drops `path` and, for a folder, everything waiting under it.
    void forget(const std::filesystem::path& path);
    // Renames a waiting file (or every waiting file under a folder).
    void rename(const std::filesystem::path& from, const std::filesystem::path& to);

    // Files whose wait is over and whose stamp held still; files that changed
    // meanwhile start a new wait, vanished files are dropped.
    std::vector<std::filesystem::path> take_ready(Clock::time_point now = Clock::now());

    [[nodiscard]] bool empty() const { return waiting_.empty(); }
    [[nodiscard]] std::size_t size() const { return waiting_.size(); }

private:
    struct Waiting {
        Clock::time_point due;
        std::optional<util::FileStamp> stamp;
    };
    Clock::duration settle_time_;
    std::map<std::filesystem::path, Waiting> waiting_;
};

}  // namespace vibed::daemon
