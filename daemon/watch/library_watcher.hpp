#pragma once
// Watches library folders recursively with inotify, driven by a Boost.Asio
// io_context, and reports what happened in library terms: a file finished
// being written, a path moved, a path disappeared, the kernel lost events.

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "daemon/watch/inotify.hpp"

namespace vibed::daemon {

struct WatchEvent {
    enum class Kind {
        file_changed,   // created, written or moved in: check it once it settles
        file_removed,   // deleted or moved out of every watched folder
        folder_added,   // created or moved in: scan it (its watches are already set)
        folder_removed, // deleted or moved out: forget everything under it
        moved,          // renamed within the library: `from` -> `path`, file or folder
        overflow,       // the kernel dropped events: only a rescan can recover
        root_lost,      // a library root vanished (unmounted disk, deleted folder), or a
                        // disk mounted inside the library was unmounted (path: its mount point)
    };
    Kind kind;
    std::filesystem::path path;
    std::filesystem::path from;  // for moved
    bool is_folder = false;
};

class LibraryWatcher {
public:
    using Handler = std::function<void(const WatchEvent&)>;
    // Decides whether a folder or file name is skipped (hidden, excluded globs).
    using Filter = std::function<bool(const std::filesystem::path&)>;

    LibraryWatcher(boost::asio::io_context& io, Handler handler, Filter is_excluded);
    ~LibraryWatcher();
    LibraryWatcher(const LibraryWatcher&) = delete;
    LibraryWatcher& operator=(const LibraryWatcher&) = delete;

    // Watches `folder` and every folder below it (symlinked folders are not
    // followed: the scanner handles them, and loops cannot trap the watcher).
    // Returns false when the kernel's watch limit stopped it: the caller must
    // fall back to periodic rescans. Unreadable folders are skipped with a log line.
    bool watch_tree(const std::filesystem::path& folder);
    // watch_tree() for a library root: when the root itself is moved, deleted
    // or unmounted, its watches are dropped and root_lost is reported.
    bool watch_root(const std::filesystem::path& root);

    [[nodiscard]] bool limit_reached() const { return limit_reached_; }
    [[nodiscard]] std::size_t watch_count() const { return folders_.size(); }

private:
    void start_read();
    void handle_record(const InotifyRecord& record);
    void handle_moved_from(const std::filesystem::path& path, std::uint32_t cookie, bool is_folder);
    void handle_moved_to(const std::filesystem::path& path, std::uint32_t cookie, bool is_folder);
    void expire_pending_moves();
    void handle_folder_gone(int watch, std::uint32_t mask);
    void forget_tree(const std::filesystem::path& folder);
    void rename_tree(const std::filesystem::path& from, const std::filesystem::path& to);
    bool add_one(const std::filesystem::path& folder);

    struct WatchedFolder {
        std::filesystem::path path;
        dev_t device;  // tells where an unmounted disk's tree begins
    };
    [[nodiscard]] std::filesystem::path top_of_unmounted_tree(const WatchedFolder& folder) const;

    struct PendingMove {
        std::filesystem::path from;
        bool is_folder;
        std::chrono::steady_clock::time_point seen;
    };

    Inotify inotify_;
    boost::asio::posix::stream_descriptor stream_;
    boost::asio::steady_timer move_timer_;
    Handler handler_;
    Filter is_excluded_;
    std::unordered_map<int, WatchedFolder> folders_;          // watch -> folder
    std::map<std::filesystem::path, int> watches_;             // folder -> watch
    std::map<std::uint32_t, PendingMove> pending_moves_;       // cookie -> move-from half
    std::set<std::filesystem::path> roots_;
    std::array<char, 64 * 1024> buffer_{};
    bool limit_reached_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace vibed::daemon
