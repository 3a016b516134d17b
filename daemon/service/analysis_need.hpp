#pragma once
// The one "already indexed" rule, shared by the scanner and the index writer:
// whether a file as it is on disk needs (re-)analysing, given what the index
// remembers of it.

#include <optional>

#include "core/util/file_stamp.hpp"
#include "db/index.hpp"

namespace vibed::daemon {

inline bool needs_analysis(const std::optional<db::FileState>& known, const util::FileStamp& on_disk) {
    if (!known) return true;
    if (known->size != on_disk.size || known->mtime_ns != on_disk.mtime_ns) return true;
    switch (known->status) {
        case db::TrackStatus::pending: return true;
        case db::TrackStatus::ok: return !known->analysed();  // another model's result, or an older extractor's
        case db::TrackStatus::error: return false;  // not retried until the file changes
    }
    return true;
}

}  // namespace vibed::daemon
