#include "daemon/service/library_presence.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/util/counted.hpp"
#include "daemon/service/guarded.hpp"
#include "daemon/service/library_scanner.hpp"

namespace vibed::daemon {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// A stat() per missing folder: cheap.
constexpr auto kOfflineCheckInterval = 5s;
// Rescans when the watch limit is hit and the configured interval is longer (or 0).
constexpr auto kFallbackRescanInterval = std::chrono::minutes(10);

// Back means listed and not empty: an unmounted disk leaves its empty mount point.
bool is_back(const fs::path& root) {
    std::error_code dir_error;
    std::error_code list_error;
    return fs::is_directory(root, dir_error) && !fs::is_empty(root, list_error) && !list_error;
}

}  // namespace

LibraryPresence::LibraryPresence(boost::asio::io_context& io, PresenceListener& listener)
    : io_(io), listener_(listener), offline_timer_(io), rescan_timer_(io) {}

LibraryPresence::~LibraryPresence() { stop(); }

void LibraryPresence::watch(const std::vector<fs::path>& roots, std::vector<std::string> exclude) {
    exclude_ = std::move(exclude);
    watcher_ = std::make_unique<LibraryWatcher>(
        io_, guarded("file event", [this](const WatchEvent& event) { on_event(event); }),
        [this](const fs::path& path) { return is_excluded(path, exclude_); });
    offline_.clear();
    for (const auto& root : roots) {
        std::error_code error;
        if (!fs::is_directory(root, error)) {
            spdlog::warn("{}: library folder not found; will look for it again every {}s", root.string(),
                         std::chrono::duration_cast<std::chrono::seconds>(kOfflineCheckInterval).count());
            offline_.push_back(root);
            continue;
        }
        if (!watcher_->watch_root(root)) break;  // limit reached: periodic rescans take over
    }
    spdlog::info("watching {}", util::counted(watcher_->watch_count(), "folder"));
    if (!offline_.empty()) check_offline();
}

void LibraryPresence::set_rescan_interval(std::chrono::minutes interval) { rescan_interval_ = interval; }

void LibraryPresence::start_rescans() {
    rescans_started_ = true;
    schedule_rescan();
}

void LibraryPresence::mark_offline(const fs::path& root) {
    if (std::find(offline_.begin(), offline_.end(), root) == offline_.end()) offline_.push_back(root);
    check_offline();
}

void LibraryPresence::stop() {
    watcher_.reset();
    rescans_started_ = false;
    offline_timer_.cancel();
    rescan_timer_.cancel();
}

std::size_t LibraryPresence::watched_folders() const { return watcher_ ? watcher_->watch_count() : 0; }

bool LibraryPresence::watch_limit_reached() const { return watcher_ && watcher_->limit_reached(); }

void LibraryPresence::on_event(const WatchEvent& event) {
    if (event.kind != WatchEvent::Kind::root_lost) return listener_.on_file_event(event);
    // What stays indexed is the scan's to say (once, with the count): a
    // folder deleted with its files has had their rows removed already.
    spdlog::warn("{}: library folder went away (unmounted, moved or deleted?)", event.path.string());
    listener_.on_scan_needed(event.path);
    mark_offline(event.path);
}

// Re-armed while any folder is offline; re-arming cancels a wait already pending.
void LibraryPresence::check_offline() {
    offline_timer_.expires_after(kOfflineCheckInterval);
    offline_timer_.async_wait(guarded("offline folders", [this](const boost::system::error_code& error) {
        if (error) return;
        std::vector<fs::path> still_offline;
        for (const auto& root : offline_) {
            if (!is_back(root)) {
                still_offline.push_back(root);
                continue;
            }
            spdlog::info("{}: library folder is back; rescanning it", root.string());
            if (watcher_) watcher_->watch_root(root);
            listener_.on_scan_needed(root);
        }
        offline_ = std::move(still_offline);
        if (!offline_.empty()) check_offline();
    }));
}

void LibraryPresence::schedule_rescan() {
    if (!rescans_started_) return;
    auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(rescan_interval_);
    if (watch_limit_reached() && (interval.count() == 0 || interval > kFallbackRescanInterval)) {
        interval = kFallbackRescanInterval;
    }
    if (interval.count() == 0) return;
    rescan_timer_.expires_after(interval);
    rescan_timer_.async_wait(guarded("rescan", [this](const boost::system::error_code& error) {
        if (error) return;
        listener_.on_scan_needed(std::nullopt);
        schedule_rescan();
    }));
}

}  // namespace vibed::daemon
