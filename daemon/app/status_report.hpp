#pragma once
// The JSON that `vibectl status` prints, built by the daemon from its live
// state or by vibectl from the database alone when no daemon runs.

#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/index.hpp"

namespace vibed::daemon {

struct DaemonActivity {
    struct Problem {
        std::string area;
        std::string message;
        std::chrono::system_clock::time_point since;
    };

    std::int64_t pid = 0;
    // The analysis model's network is loaded on the first file to analyse:
    // false while nothing has needed it since the daemon started.
    bool model_loaded = false;
    std::uint64_t queued = 0;     // waiting for a worker (or to settle)
    std::uint64_t settling = 0;   // of those, changed files waiting to settle first
    std::uint64_t in_flight = 0;  // being analysed
    std::uint64_t to_store = 0;   // analysed or changed, not yet in the index
    std::uint64_t analysed = 0;   // this run
    std::uint64_t failed = 0;     // this run
    std::uint64_t deferred = 0;   // this run: resource trouble, retried later
    double seconds_running = 0;
    bool scanning = false;
    std::size_t watched_folders = 0;
    bool watch_limit_reached = false;
    std::vector<std::filesystem::path> offline_folders;
    std::vector<Problem> problems;  // what is wrong right now
    std::optional<std::chrono::system_clock::time_point> playlists_written_at;
    std::size_t playlist_files_written = 0;
    std::size_t playlist_files_unchanged = 0;
    // [mpd] keep_playing: nullopt when off; the MPD it watches ("" while not
    // connected) and how many tracks it appended.
    struct KeepPlaying {
        std::string mpd;
        std::uint64_t appended = 0;
    };
    std::optional<KeepPlaying> keep_playing;
};

// How fast the daemon analyses, measured only while it works. The service
// reports totals since it started, which count idle hours too (a batch of
// 4 s after a day of idling read "129 s left"). The meter is fed each status
// request's totals; its rate covers the latest stretch of requests that all
// saw the daemon working, none more than kMaxGap apart (a longer gap may hide
// idle time) and at most kWindow long. Unknown until two such requests at
// least kMinimumSpan apart saw a track finish: nothing rather than a guess.
class ThroughputMeter {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::seconds kWindow{120};
    static constexpr std::chrono::seconds kMaxGap{30};
    static constexpr std::chrono::seconds kMinimumSpan{2};

    // Records one request's totals (`completed`: tracks analysed or failed
    // since the daemon started) and returns the rate now. Thread-safe.
    std::optional<double> observe(Clock::time_point now, std::uint64_t completed, bool working);
    [[nodiscard]] std::optional<double> tracks_per_second() const;

private:
    struct Sample {
        Clock::time_point at;
        std::uint64_t completed = 0;
    };
    [[nodiscard]] std::optional<double> rate_locked() const;

    mutable std::mutex mutex_;
    std::deque<Sample> samples_;
};

// The meter of this process's daemon: status_report() is the one place that
// sees every status request's totals.
ThroughputMeter& daemon_throughput_meter();

// `activity` is null when the daemon is not running. `stats_known` is false
// when the index could not be read (the figures are then zero).
nlohmann::json status_report(const config::Config& config, const std::string& model_name,
                             const std::string& model_sha256, const db::IndexStats& stats,
                             const DaemonActivity* activity, bool stats_known = true,
                             ThroughputMeter& meter = daemon_throughput_meter());

// The human-readable form of status_report().
std::string format_status(const nlohmann::json& status);

}  // namespace vibed::daemon
