#include "daemon/watch/library_watcher.hpp"

#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include "core/util/path_tree.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kWatchMask = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                     IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;

// A rename shows up as MOVED_FROM then MOVED_TO with the same cookie, almost
// always in the same read. A MOVED_FROM still alone after this long was a move
// out of the library.
constexpr auto kMovePairingWindow = std::chrono::milliseconds(250);

}  // namespace

LibraryWatcher::LibraryWatcher(boost::asio::io_context& io, Handler handler, Filter is_excluded)
    : stream_(io, inotify_.fd()), move_timer_(io), handler_(std::move(handler)), is_excluded_(std::move(is_excluded)) {
    start_read();
}

LibraryWatcher::~LibraryWatcher() {
    *alive_ = false;
    // The descriptor belongs to inotify_; the stream must not close it too.
    stream_.release();
}

bool LibraryWatcher::add_one(const fs::path& folder) {
    if (limit_reached_) return false;
    try {
        const int watch = inotify_.add_watch(folder, kWatchMask);
        struct stat info {};
        ::stat(folder.c_str(), &info);  // it was there a moment ago; if not, its watch is about to go anyway
        folders_[watch] = WatchedFolder{folder, info.st_dev};
        watches_[folder] = watch;
        return true;
    } catch (const WatchLimitReached& e) {
        limit_reached_ = true;
        spdlog::warn("{}; falling back to periodic rescans for the rest of the library", e.what());
        return false;
    } catch (const InotifyError& e) {
        spdlog::warn("{}; skipped", e.what());
        return true;  // one unreadable folder does not stop the others
    }
}

bool LibraryWatcher::watch_tree(const fs::path& folder) {
    if (!add_one(folder)) return false;
    std::error_code error;
    fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, error), end;
    for (; !error && it != end; it.increment(error)) {
        std::error_code type_error;
        // is_directory on the entry itself: symlinked folders are not followed.
        if (!it->is_directory(type_error) || it->is_symlink(type_error)) continue;
        if (is_excluded_(it->path())) {
            it.disable_recursion_pending();
            continue;
        }
        if (!add_one(it->path())) return false;
    }
    if (error) spdlog::warn("{}: cannot list folder: {}", folder.string(), error.message());
    return true;
}

bool LibraryWatcher::watch_root(const fs::path& root) {
    roots_.insert(root);
    return watch_tree(root);
}

void LibraryWatcher::start_read() {
    stream_.async_read_some(boost::asio::buffer(buffer_), [this, alive = alive_](const boost::system::error_code& error,
                                                                                 std::size_t bytes) noexcept {
        if (!*alive || error == boost::asio::error::operation_aborted) return;
        try {
            if (error) {
                spdlog::error("inotify read failed: {}; rescanning", error.message());
                handler_({WatchEvent::Kind::overflow, {}, {}, false});
            } else {
                Inotify::decode(std::span<const char>(buffer_.data(), bytes),
                                [this](const InotifyRecord& record) { handle_record(record); });
                if (!pending_moves_.empty()) {
                    move_timer_.expires_after(kMovePairingWindow);
                    move_timer_.async_wait([this, alive = alive_](const boost::system::error_code& wait_error) noexcept {
                        if (!*alive || wait_error) return;
                        try {
                            expire_pending_moves();
                        } catch (const std::exception& e) {
                            spdlog::error("inotify: {}", e.what());
                        }
                    });
                }
            }
        } catch (const std::exception& e) {
            // Whatever one batch of events did, keep watching (and rescan, since
            // some of its events may be lost).
            spdlog::error("inotify: {}; rescanning", e.what());
            handler_({WatchEvent::Kind::overflow, {}, {}, false});
        }
        start_read();
    });
}

void LibraryWatcher::handle_record(const InotifyRecord& record) {
    if (record.mask & IN_Q_OVERFLOW) {
        spdlog::warn("inotify queue overflowed: events were lost; rescanning the library");
        handler_({WatchEvent::Kind::overflow, {}, {}, false});
        return;
    }
    const auto folder_it = folders_.find(record.watch);
    if (folder_it == folders_.end()) return;  // a watch we already forgot
    if (record.mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
        handle_folder_gone(record.watch, record.mask);
        return;
    }

    const fs::path path = folder_it->second.path / record.name;
    const bool is_folder = (record.mask & IN_ISDIR) != 0;
    if (is_excluded_(path)) return;

    if (record.mask & IN_MOVED_FROM) {
        handle_moved_from(path, record.cookie, is_folder);
    } else if (record.mask & IN_MOVED_TO) {
        handle_moved_to(path, record.cookie, is_folder);
    } else if (record.mask & IN_CREATE) {
        if (is_folder) {
            watch_tree(path);
            handler_({WatchEvent::Kind::folder_added, path, {}, true});
        } else {
            handler_({WatchEvent::Kind::file_changed, path, {}, false});
        }
    } else if (record.mask & IN_CLOSE_WRITE) {
        handler_({WatchEvent::Kind::file_changed, path, {}, false});
    } else if (record.mask & IN_DELETE) {
        if (is_folder) forget_tree(path);
        handler_({is_folder ? WatchEvent::Kind::folder_removed : WatchEvent::Kind::file_removed, path, {}, is_folder});
    }
}

// The watched folder itself went away. A folder inside the library going away
// is reported by its parent; what no parent reports is a root that is moved,
// deleted or unmounted, or a disk unmounted from a folder inside the library.
// Their watches would follow them to a path outside the library, so drop them
// and let the daemon wait for the folder to come back.
void LibraryWatcher::handle_folder_gone(int watch, std::uint32_t mask) {
    const WatchedFolder folder = folders_.at(watch);
    fs::path lost;
    if (mask & IN_UNMOUNT) {
        lost = top_of_unmounted_tree(folder);
    } else if (roots_.contains(folder.path) && (mask & (IN_DELETE_SELF | IN_MOVE_SELF))) {
        lost = folder.path;
    } else {
        if (mask & IN_IGNORED) {
            watches_.erase(folder.path);
            folders_.erase(watch);
        }
        return;
    }
    forget_tree(lost);
    handler_({WatchEvent::Kind::root_lost, lost, {}, true});
}

// Every watched folder of an unmounted disk hears of it, in no useful order;
// the one to report is the topmost: a root, or the folder the disk was mounted on.
fs::path LibraryWatcher::top_of_unmounted_tree(const WatchedFolder& folder) const {
    fs::path top = folder.path;
    while (!roots_.contains(top) && top.has_relative_path()) {
        const auto parent = watches_.find(top.parent_path());
        if (parent == watches_.end() || folders_.at(parent->second).device != folder.device) break;
        top = parent->first;
    }
    return top;
}

void LibraryWatcher::handle_moved_from(const fs::path& path, std::uint32_t cookie, bool is_folder) {
    pending_moves_[cookie] = PendingMove{path, is_folder, std::chrono::steady_clock::now()};
}

void LibraryWatcher::handle_moved_to(const fs::path& path, std::uint32_t cookie, bool is_folder) {
    const auto pending = pending_moves_.find(cookie);
    if (pending == pending_moves_.end()) {
        // Moved in from outside the library: new content.
        if (is_folder) {
            watch_tree(path);
            handler_({WatchEvent::Kind::folder_added, path, {}, true});
        } else {
            handler_({WatchEvent::Kind::file_changed, path, {}, false});
        }
        return;
    }
    const fs::path from = pending->second.from;
    pending_moves_.erase(pending);
    if (is_folder) rename_tree(from, path);
    handler_({WatchEvent::Kind::moved, path, from, is_folder});
}

void LibraryWatcher::expire_pending_moves() {
    const auto now = std::chrono::steady_clock::now();
    for (auto it = pending_moves_.begin(); it != pending_moves_.end();) {
        if (now - it->second.seen < kMovePairingWindow) {
            ++it;
            continue;
        }
        const PendingMove move = it->second;
        it = pending_moves_.erase(it);
        if (move.is_folder) forget_tree(move.from);
        handler_({move.is_folder ? WatchEvent::Kind::folder_removed : WatchEvent::Kind::file_removed, move.from, {},
                  move.is_folder});
    }
}

void LibraryWatcher::forget_tree(const fs::path& folder) {
    for (auto it = watches_.lower_bound(folder); it != watches_.end() && util::is_at_or_under(it->first, folder);) {
        inotify_.remove_watch(it->second);
        folders_.erase(it->second);
        it = watches_.erase(it);
    }
}

void LibraryWatcher::rename_tree(const fs::path& from, const fs::path& to) {
    std::vector<std::pair<fs::path, int>> moved;
    for (auto it = watches_.lower_bound(from); it != watches_.end() && util::is_at_or_under(it->first, from);) {
        moved.emplace_back(util::rebase(it->first, from, to), it->second);
        it = watches_.erase(it);
    }
    for (auto& [path, watch] : moved) {
        folders_.at(watch).path = path;
        watches_[path] = watch;
    }
    if (moved.empty()) watch_tree(to);  // it was not watched (e.g. excluded before)
}

}  // namespace vibed::daemon
