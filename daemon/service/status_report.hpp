#pragma once
// The JSON that `vibectl status` prints, built by the daemon from its live
// state or by vibectl from the database alone when no daemon runs.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/index.hpp"

namespace vibed::daemon {

struct DaemonActivity {
    std::int64_t pid = 0;
    std::uint64_t queued = 0;
    std::uint64_t in_flight = 0;
    std::uint64_t analysed = 0;  // this run
    std::uint64_t failed = 0;    // this run
    double seconds_running = 0;
    bool scanning = false;
    std::size_t watched_folders = 0;
    bool watch_limit_reached = false;
    std::vector<std::filesystem::path> offline_folders;
};

// `activity` is null when the daemon is not running.
nlohmann::json status_report(const config::Config& config, const std::string& model_name,
                             const std::string& model_sha256, const db::IndexStats& stats,
                             const DaemonActivity* activity);

// The human-readable form of status_report().
std::string format_status(const nlohmann::json& status);

}  // namespace vibed::daemon
