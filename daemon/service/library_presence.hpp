#pragma once
// The library's presence on disk, kept on the event loop: the inotify
// watcher over every library folder, the folders that are offline (missing
// at start, unmounted since, or found empty by a scan) polled until they are
// back, and the periodic rescans behind the watcher (every
// rescan_interval_minutes, at least every 10 minutes once the kernel's watch
// limit is reached). File events and the scans it needs go up to its owner.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/watch/library_watcher.hpp"

namespace vibed::daemon {

class PresenceListener {
public:
    // On the loop: a change inside the library (never root_lost: that is handled here).
    virtual void on_file_event(const WatchEvent& event) = 0;
    // On the loop: a folder (nullopt: the whole library) should be scanned.
    virtual void on_scan_needed(std::optional<std::filesystem::path> folder) = 0;

protected:
    ~PresenceListener() = default;
};

class LibraryPresence {
public:
    LibraryPresence(boost::asio::io_context& io, PresenceListener& listener);
    ~LibraryPresence();
    LibraryPresence(const LibraryPresence&) = delete;
    LibraryPresence& operator=(const LibraryPresence&) = delete;

    // Watches `roots` afresh (a reload that changed the library calls it
    // again); a root that is not there is polled until it is.
    void watch(const std::vector<std::filesystem::path>& roots, std::vector<std::string> exclude);
    // Rescans the whole library every `interval` (0: only the fallback once
    // the watch limit is reached). Read again at each rescan.
    void set_rescan_interval(std::chrono::minutes interval);
    void start_rescans();
    // A library root a scan found missing or empty: polled until it is back.
    void mark_offline(const std::filesystem::path& root);
    // Stops watching and cancels the timers.
    void stop();

    [[nodiscard]] std::size_t watched_folders() const;
    [[nodiscard]] bool watch_limit_reached() const;
    [[nodiscard]] const std::vector<std::filesystem::path>& offline_folders() const { return offline_; }

private:
    void on_event(const WatchEvent& event);
    void check_offline();
    void schedule_rescan();

    boost::asio::io_context& io_;
    PresenceListener& listener_;
    std::unique_ptr<LibraryWatcher> watcher_;
    std::vector<std::string> exclude_;
    std::vector<std::filesystem::path> offline_;
    std::chrono::minutes rescan_interval_{0};
    bool rescans_started_ = false;
    boost::asio::steady_timer offline_timer_;
    boost::asio::steady_timer rescan_timer_;
};

}  // namespace vibed::daemon
