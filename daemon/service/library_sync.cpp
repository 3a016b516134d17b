#include "daemon/service/library_sync.hpp"

#include <spdlog/spdlog.h>

#include <map>

#include "daemon/service/path_tree.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kPendingChunk = 512;

bool needs_analysis(const ScannedFile& file, const db::FileState* known) {
    if (known == nullptr) return true;
    if (known->size != file.stamp.size || known->mtime_ns != file.stamp.mtime_ns) return true;
    switch (known->status) {
        case db::TrackStatus::pending: return true;
        case db::TrackStatus::ok: return !known->has_attributes;  // another model's result only
        case db::TrackStatus::error: return false;  // not retried until the file changes
    }
    return true;
}

class FolderSync {
public:
    FolderSync(IndexWriter& writer, WorkQueue& queue, std::chrono::seconds settle, const std::atomic<bool>& stop,
               SyncReport& report)
        : writer_(writer), queue_(queue), settle_(settle), stop_(stop), report_(report) {}

    void run(const fs::path& folder, const ScanOptions& options,
             const std::map<fs::path, db::FileState>& known) {
        const ScanResult scan = scan_folder(folder, options);
        const std::size_t indexed_here = count_under(known, folder);
        if (scan.folder_missing || (scan.files.empty() && indexed_here > 0)) {
            spdlog::warn("{}: library folder is {} (unmounted disk?); keeping its {} indexed tracks until it is back",
                         folder.string(), scan.folder_missing ? "missing" : "empty", indexed_here);
            report_.offline.push_back(folder);
            return;
        }
        report_.files_seen += scan.files.size();
        queue_changed(scan.files, known);
        remove_vanished(folder, scan.files, known);
    }

private:
    static std::size_t count_under(const std::map<fs::path, db::FileState>& known, const fs::path& folder) {
        std::size_t count = 0;
        for (auto it = known.lower_bound(folder); it != known.end() && is_at_or_under(it->first, folder); ++it) ++count;
        return count;
    }

    void queue_changed(const std::vector<ScannedFile>& files, const std::map<fs::path, db::FileState>& known) {
        std::vector<db::FileVersion> chunk;
        const auto flush = [&] {
            writer_.with_index([&](db::Index& index) { index.upsert_pending(chunk); });
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
            if (!needs_analysis(file, it == known.end() ? nullptr : &it->second)) continue;
            if (is_settling(file)) {
                report_.settling.push_back(file.path);
                continue;
            }
            chunk.push_back({file.path, file.stamp.size, file.stamp.mtime_ns});
            if (chunk.size() >= kPendingChunk) flush();
        }
        if (!chunk.empty()) flush();
    }

    void remove_vanished(const fs::path& folder, const std::vector<ScannedFile>& files,
                         const std::map<fs::path, db::FileState>& known) {
        std::vector<fs::path> vanished;
        auto on_disk = files.begin();
        for (auto it = known.lower_bound(folder); it != known.end() && is_at_or_under(it->first, folder); ++it) {
            while (on_disk != files.end() && on_disk->path < it->first) ++on_disk;
            if (on_disk == files.end() || on_disk->path != it->first) vanished.push_back(it->first);
        }
        if (vanished.empty() || stop_) return;
        writer_.with_index([&](db::Index& index) {
            for (const auto& path : vanished) index.remove_path(path);
        });
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

SyncReport sync_folders(const std::vector<fs::path>& folders, const ScanOptions& options, std::chrono::seconds settle,
                        IndexWriter& writer, std::int64_t model_id, WorkQueue& queue, const std::atomic<bool>& stop) {
    std::map<fs::path, db::FileState> known;
    for (auto& entry : writer.with_index([&](db::Index& index) { return index.all_file_states(model_id); })) {
        known.emplace(std::move(entry.path), entry.state);
    }
    SyncReport report;
    FolderSync sync(writer, queue, settle, stop, report);
    for (const auto& folder : folders) {
        if (stop) break;
        sync.run(folder, options, known);
    }
    return report;
}

}  // namespace vibed::daemon
