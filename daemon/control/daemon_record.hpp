#pragma once
// Where a running vibed can be reached, for a vibectl that was not told.
//
// vibed started with `--config X` listens where X says; a plain `vibectl`
// reads another config (or none) and would look elsewhere. So, like other
// daemons' pid files, the daemon records its socket, pid and configuration
// in a small file in the runtime directory ($XDG_RUNTIME_DIR/vibed.daemon),
// written atomically and removed on a clean exit. A record left by a daemon
// that died (kill -9) names a pid that no longer runs and is ignored.

#include <sys/types.h>

#include <filesystem>
#include <optional>

#include "core/model/file_digest.hpp"

namespace vibed::daemon {

struct DaemonRecord {
    std::filesystem::path socket;
    std::filesystem::path config;    // empty: built-in defaults
    // The TOML the daemon runs on, as it read it: the file may have changed
    // (or broken) since, and vibectl describes what runs.
    std::string config_text;
    std::filesystem::path database;  // what the daemon indexes into (--database included)
    pid_t pid = 0;
    // The analysis model the daemon runs with, so that vibectl need not hash it again.
    std::optional<core::FileDigest> model;
};

// $XDG_RUNTIME_DIR/vibed.daemon (config::xdg_directory's fallbacks apply).
std::filesystem::path daemon_record_path();

// The record of a daemon whose process still runs, or nullopt (no file, a
// file that cannot be parsed, a dead pid). Never throws.
std::optional<DaemonRecord> read_daemon_record();

// Writes this process's record on construction and removes it on
// destruction, unless another daemon has replaced it meanwhile.
class PublishedDaemonRecord {
public:
    // Throws std::runtime_error naming the file when it cannot be written.
    explicit PublishedDaemonRecord(DaemonRecord record);
    ~PublishedDaemonRecord();
    PublishedDaemonRecord(const PublishedDaemonRecord&) = delete;
    PublishedDaemonRecord& operator=(const PublishedDaemonRecord&) = delete;

private:
    std::filesystem::path file_;
};

}  // namespace vibed::daemon
