#pragma once
// Brings the index in line with the disk for some folders: queues what is new
// or changed (or lacks a result from the current model) and forgets what is
// gone. A folder that vanished (an unmounted disk) never empties the index.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <vector>

#include "daemon/service/index_writer.hpp"
#include "daemon/service/library_scanner.hpp"
#include "daemon/service/work_queue.hpp"

namespace vibed::daemon {

struct SyncReport {
    std::size_t files_seen = 0;
    std::size_t queued = 0;
    std::size_t removed = 0;
    std::vector<std::filesystem::path> offline;  // folders skipped because they look unmounted
    // Modified within the settle time: probably still being written, so not
    // queued; the caller hands them to its settle queue.
    std::vector<std::filesystem::path> settling;
};

// The scan thread's own copy of the configuration it works with.
struct ScanSettings {
    std::vector<std::filesystem::path> roots;  // the library folders
    ScanOptions options;
    std::chrono::seconds settle{0};
    std::int64_t model_id = 0;
};

// Runs on the scan thread; blocks on the work queue when it is full, and on
// the database while it refuses (retrying). Stops early (with a partial
// report) when `stop` becomes true. Only a library root can be offline: a
// folder inside the library that cannot be listed is skipped, its indexed
// tracks kept. Whatever folders it scans, it also forgets indexed tracks
// outside every one of settings.roots (a folder taken out of library.paths,
// or files an older vibed indexed from outside the library).
SyncReport sync_folders(const std::vector<std::filesystem::path>& folders, const ScanSettings& settings,
                        IndexWriter& writer, WorkQueue& queue, const std::atomic<bool>& stop);

}  // namespace vibed::daemon
