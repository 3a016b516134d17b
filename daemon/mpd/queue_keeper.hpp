#pragma once
// "Keep the music going" ([mpd] keep_playing): a thread of its own that
// watches MPD through its idle protocol and, while MPD plays and at most
// `low_water` tracks follow the current one, appends `add_tracks` tracks like
// the last ones of the queue, none of them played in the last
// `no_repeat_hours` nor already queued.
//
// It never gives up and never takes the daemon down: MPD not running, MPD
// restarting, a wrong password or a music_directory vibed cannot map are
// shown on the ProblemBoard (area "mpd") and retried with back-off (1 s
// doubling to 60 s). The event loop only hands it configurations; every MPD
// request (each bounded by the connection's timeout) happens on its thread.
//
// The play history is kept in memory: it only has to span no_repeat_hours,
// a restart of vibed is rare, and what MPD still has queued (which survives
// a restart of either) is never appended again anyway. So no table, no
// schema change and no disk write per song.

#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "daemon/mpd/mpd_client.hpp"
#include "daemon/mpd/path_map.hpp"
#include "core/util/problem_sink.hpp"
#include "db/index.hpp"

namespace vibed::daemon::mpd {

class QueueKeeper {
public:
    // Up to `count` library tracks to follow `seeds` (oldest first), none of
    // `excluded`. Runs on the keeper's thread with its own read-only index.
    using Suggest = std::function<std::vector<std::filesystem::path>(
        db::Index& index, const config::Config& config, std::int64_t model_id,
        const std::vector<std::filesystem::path>& seeds, const std::set<std::filesystem::path>& excluded,
        std::size_t count)>;

    QueueKeeper(std::shared_ptr<const config::Config> config, std::int64_t model_id, util::ProblemSink& problems,
                Suggest suggest);
    // Stops the thread; waits at most for the MPD request in flight.
    ~QueueKeeper();
    QueueKeeper(const QueueKeeper&) = delete;
    QueueKeeper& operator=(const QueueKeeper&) = delete;

    // A reloaded configuration or model: picked up at once (reconnecting when
    // the [mpd] settings changed; going quiet when keep_playing is off). Never blocks.
    void update(std::shared_ptr<const config::Config> config, std::int64_t model_id);

    struct Summary {
        std::string mpd;  // "MPD at /run/mpd/socket" while connected, else empty
        std::uint64_t appended = 0;  // tracks appended since vibed started
    };
    [[nodiscard]] Summary summary() const;

    static constexpr const char* kProblemArea = "mpd";

private:
    struct Settings {
        std::shared_ptr<const config::Config> config;
        std::int64_t model_id = 0;
        std::uint64_t generation = 0;
    };

    void run(std::stop_token stop);
    // One connection's life; returns when it broke (throws) or the settings changed.
    void serve(MpdClient& client, const Settings& settings, std::stop_token stop);
    void top_up(MpdClient& client, const PathMap& paths, const Settings& settings);
    // Appends up to add_tracks tracks like `seeds` (oldest first), none of `excluded`.
    void append_like(MpdClient& client, const PathMap& paths, const Settings& settings,
                     const std::vector<std::filesystem::path>& seeds, std::set<std::filesystem::path>& excluded);
    void remember_played(const std::filesystem::path& track);
    [[nodiscard]] std::set<std::filesystem::path> recently_played(std::chrono::hours window);
    [[nodiscard]] Settings settings() const;
    // Sleeps until `delay` passed, the settings changed or stop; false on stop.
    bool pause(std::chrono::milliseconds delay, std::stop_token stop);
    void wake() const;
    db::Index& index(const config::Config& config);

    util::ProblemSink& problems_;
    Suggest suggest_;

    mutable std::mutex mutex_;
    Settings settings_;  // guarded by mutex_
    Summary summary_;    // guarded by mutex_

    int wake_fd_ = -1;  // an eventfd: wakes the thread out of idle or a back-off

    // Keeper thread only.
    std::optional<db::Index> index_;
    std::deque<std::pair<std::filesystem::path, std::chrono::system_clock::time_point>> played_;
    std::optional<unsigned> current_song_position_;
    std::string current_song_uri_;
    std::set<std::filesystem::path> unplayable_;  // warned about once, never suggested again
    std::jthread thread_;
};

}  // namespace vibed::daemon::mpd
