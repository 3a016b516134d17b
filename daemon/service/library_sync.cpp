#include "daemon/service/library_sync.hpp"

#include "core/util/counted.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "daemon/service/analysis_need.hpp"
#include "daemon/service/analysis_pool.hpp"
#include "core/util/path_tree.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kPendingChunk = 512;

// Which library roots this process has already said are offline, so that
// the hourly rescan (and every `vibectl scan`) while a disk is unmounted does
// not repeat it: said once when a root goes, again only after it came back.
// Process-wide because scans are separate calls and a root is a path; one
// daemon per index, and per process, owns it.
class OfflineNotices {
public:
    static bool first_time(const fs::path& root) {
        const std::lock_guard lock(mutex());
        return said().insert(root).second;
    }
    static void back(const fs::path& root) {
        const std::lock_guard lock(mutex());
        said().erase(root);
    }

private:
    static std::mutex& mutex() {
        static std::mutex instance;
        return instance;
    }
    static std::set<fs::path>& said() {
        static std::set<fs::path> instance;
        return instance;
    }
};

// What keeping an offline root means, for the log: the tracks still indexed
// under it (files deleted before their folder went were removed with them,
// so none may be left to keep).
void log_offline(const fs::path& folder, bool missing, std::size_t indexed_here) {
    if (!OfflineNotices::first_time(folder)) return;
    const char* state = missing ? "missing" : "empty";
    if (indexed_here == 0) {
        spdlog::warn("{}: library folder is {} (unmounted disk?); nothing is indexed under it, so nothing is kept; "
                     "it is scanned again when it is back",
                     folder.string(), state);
        return;
    }
    spdlog::warn("{}: library folder is {} (unmounted disk?); keeping its {} until it is back", folder.string(), state,
                 util::counted(indexed_here, "indexed track"));
}

const fs::path& path_of(const fs::path& path) { return path; }
const fs::path& path_of(const RefusedEntry& entry) { return entry.path; }

class FolderSync {
public:
    FolderSync(IndexWriter& writer, WorkQueue& queue, std::chrono::seconds settle, const std::atomic<bool>& stop,
               SyncReport& report)
        : writer_(writer), queue_(queue), settle_(settle), stop_(stop), report_(report) {}

    void run(const fs::path& folder, const ScanOptions& options, bool is_root,
             const std::map<fs::path, db::FileState>& known) {
        const ScanResult scan = scan_folder(folder, options);
        if (scan.folder_missing && !is_root) {
            // Deleted meanwhile (the watcher reports that) or unreadable (the
            // scanner said so): either way not an unmounted disk.
            return;
        }
        // Only a root can be an unmounted disk: an emptied folder inside the
        // library lost its files (the whole-library scan forgets them too).
        const std::size_t indexed_here = count_under(known, folder);
        if (scan.folder_missing || (is_root && scan.files.empty() && indexed_here > 0)) {
            log_offline(folder, scan.folder_missing, indexed_here);
            report_.offline.push_back(folder);
            return;
        }
        if (is_root) OfflineNotices::back(folder);
        report_.files_seen += scan.files.size();
        queue_changed(scan.files, known);
        record_refused(scan.refused, known);
        remove_vanished(folder, scan, known);
    }

private:
    static std::size_t count_under(const std::map<fs::path, db::FileState>& known, const fs::path& folder) {
        std::size_t count = 0;
        for (auto it = known.lower_bound(folder); it != known.end() && util::is_at_or_under(it->first, folder); ++it) ++count;
        return count;
    }

    void queue_changed(const std::vector<ScannedFile>& files, const std::map<fs::path, db::FileState>& known) {
        std::vector<db::FileVersion> chunk;
        const auto flush = [&] {
            writer_.mark_pending(chunk, stop_);
            // Mark pending first: a result is only stored for a file the index knows.
            for (const auto& file : chunk) {
                if (stop_ || !queue_.push(file.path)) return;
                ++report_.queued;
            }
            chunk.clear();
        };
        for (const auto& file : files) {
            if (stop_) return;
            const auto it = known.find(file.path);
            const auto state = it == known.end() ? std::nullopt : std::optional<db::FileState>(it->second);
            if (!needs_analysis(state, file.stamp)) continue;
            if (is_settling(file)) {
                report_.settling.push_back(file.path);
                continue;
            }
            chunk.push_back({file.path, file.stamp.size, file.stamp.mtime_ns});
            if (chunk.size() >= kPendingChunk) flush();
        }
        if (!chunk.empty()) flush();
    }

    // What the scanner refused (a FIFO, a link loop, a path too long) becomes
    // an error row, so `vibectl errors` names it with the reason; once per
    // version of the entry, not at every scan.
    void record_refused(const std::vector<RefusedEntry>& refused, const std::map<fs::path, db::FileState>& known) {
        std::vector<db::FileVersion> versions;
        for (const auto& entry : refused) {
            const auto it = known.find(entry.path);
            const bool recorded = it != known.end() && it->second.status == db::TrackStatus::error &&
                                  it->second.size == entry.stamp.size && it->second.mtime_ns == entry.stamp.mtime_ns;
            if (!recorded) versions.push_back({entry.path, entry.stamp.size, entry.stamp.mtime_ns});
        }
        if (versions.empty() || stop_) return;
        // Known to the index first: a result is only stored for a file it knows.
        writer_.mark_pending(versions, stop_);
        for (const auto& entry : refused) {
            const bool new_here = std::any_of(versions.begin(), versions.end(),
                                              [&](const db::FileVersion& version) { return version.path == entry.path; });
            if (new_here) writer_.add(AnalysisOutcome{entry.path, entry.stamp, std::nullopt, entry.reason, false});
        }
    }

    // Tracks under a folder that could not be listed are not known to be gone,
    // and what the scanner refused is still there.
    void remove_vanished(const fs::path& folder, const ScanResult& scan, const std::map<fs::path, db::FileState>& known) {
        const auto& files = scan.files;
        const auto unlisted = [&](const fs::path& path) {
            return std::any_of(scan.unreadable.begin(), scan.unreadable.end(),
                               [&](const fs::path& unreadable) { return util::is_at_or_under(path, unreadable); });
        };
        const auto refused = [&](const fs::path& path) {
            return std::binary_search(scan.refused.begin(), scan.refused.end(), path,
                                      [](const auto& a, const auto& b) { return path_of(a) < path_of(b); });
        };
        std::vector<fs::path> vanished;
        auto on_disk = files.begin();
        for (auto it = known.lower_bound(folder); it != known.end() && util::is_at_or_under(it->first, folder); ++it) {
            while (on_disk != files.end() && on_disk->path < it->first) ++on_disk;
            if ((on_disk == files.end() || on_disk->path != it->first) && !unlisted(it->first) && !refused(it->first)) {
                vanished.push_back(it->first);
            }
        }
        if (vanished.empty() || stop_) return;
        writer_.forget(vanished, stop_);
        report_.removed += vanished.size();
    }

    bool is_settling(const ScannedFile& file) const {
        const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
        return now_ns - file.stamp.mtime_ns < std::chrono::nanoseconds(settle_).count();
    }

    IndexWriter& writer_;
    WorkQueue& queue_;
    std::chrono::seconds settle_;
    const std::atomic<bool>& stop_;
    SyncReport& report_;
};

}  // namespace

SyncReport sync_folders(const std::vector<fs::path>& folders, const ScanSettings& settings, IndexWriter& writer,
                        WorkQueue& queue, const std::atomic<bool>& stop) {
    std::map<fs::path, db::FileState> known;
    std::vector<fs::path> outside;
    // File events already received (deletions above all) are applied first,
    // so what the scan counts and says about an offline folder is true.
    constexpr std::chrono::seconds kFlushWait{5};
    writer.flush(kFlushWait);
    const auto states = writer.file_states(settings.model_id, stop);
    for (const auto& entry : states) {
        const bool in_library = std::any_of(settings.roots.begin(), settings.roots.end(),
                                            [&](const fs::path& root) { return util::is_at_or_under(entry.path, root); });
        if (in_library) {
            known.emplace(entry.path, entry.state);
        } else {
            outside.push_back(entry.path);
        }
    }
    SyncReport report;
    if (!outside.empty() && !stop) {
        spdlog::info("forgetting {} outside the library folders (e.g. {})", util::counted(outside.size(), "indexed track"),
                     outside.front().string());
        writer.forget(outside, stop);
        report.removed += outside.size();
    }
    FolderSync sync(writer, queue, settings.settle, stop, report);
    for (const auto& folder : folders) {
        if (stop) break;
        const bool is_root = std::find(settings.roots.begin(), settings.roots.end(), folder) != settings.roots.end();
        sync.run(folder, settings.options, is_root, known);
    }
    return report;
}

}  // namespace vibed::daemon
