#pragma once
// vibed itself: the one place that wires the index, the model, the watcher,
// the workers, the playlists and the control socket together around one
// Boost.Asio event loop.
//
// Threads: the event loop (watcher, settle timer, control socket, signals),
// one scan thread, N analysis workers, the index writer and the playlist
// publisher. Only the event loop touches the members below unless noted; the
// other threads get copies of what they need (ScanSettings, a shared
// const Config), never a reference to config_.
//
// The event loop is an error boundary: every handler catches what it throws,
// logs it and carries on (the problem shows in `vibectl status`). It does no
// database writes itself (they are IndexWriter commands) and no publishing
// (PlaylistPublisher), so it stays responsive whatever the disk does.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "config/config.hpp"
#include "core/analysis/track_analyzer.hpp"
#include "daemon/app/model_selection.hpp"
#include "daemon/control/control_server.hpp"
#include "daemon/control/daemon_record.hpp"
#include "daemon/mpd/queue_keeper.hpp"
#include "daemon/service/analysis_pool.hpp"
#include "daemon/service/index_writer.hpp"
#include "daemon/service/instance_lock.hpp"
#include "daemon/service/library_sync.hpp"
#include "daemon/service/playlist_publisher.hpp"
#include "daemon/service/problem_board.hpp"
#include "daemon/service/settle_queue.hpp"
#include "daemon/service/work_queue.hpp"
#include "daemon/watch/library_watcher.hpp"

namespace vibed::daemon {

struct DaemonOptions {
    std::optional<std::filesystem::path> config_path;  // re-read on SIGHUP
    // Index the library, write the playlists and exit instead of watching.
    bool once = false;
};

class Daemon {
public:
    // Takes the instance lock, opens the index and loads the model.
    // Throws (AlreadyRunning, db and model errors) when it cannot start.
    Daemon(config::Config config, DaemonOptions options);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Runs until SIGTERM/SIGINT (or, with `once`, until the library is
    // indexed); returns the process exit code.
    int run();

private:
    void refresh_moods();
    void refresh_vectors();
    // Registers the analyzer's mood and similarity models and tells the writer.
    void register_derived_models();
    void start_pipeline();
    void on_outcome(AnalysisOutcome&& outcome);
    void retry_later(const std::filesystem::path& file);
    void stop_pipeline();
    void watch_library();
    void request_scan(std::optional<std::filesystem::path> folder);
    void scan_loop(std::stop_token stop);
    void on_watch_event(const WatchEvent& event);
    void on_settle_tick();
    void arm_settle_timer();
    void queue_for_analysis(const std::filesystem::path& file);
    void schedule_playlists();
    void publish_playlists_now();
    void publish_before_exit() noexcept;
    void schedule_rescan();
    void check_offline_roots();
    void on_idle_check();
    void handle_signals();
    // Empty on success, else why the old configuration was kept.
    std::optional<std::string> reload_config();
    void set_scan_settings();
    void publish_config();
    void publish_record();
    // Starts the keep-playing thread the first time [mpd] keep_playing is on;
    // afterwards hands it every new configuration.
    void update_queue_keeper();
    void shutdown();
    // db::Index::open, waiting while the disk is full (SIGTERM/SIGINT end the wait).
    db::Index open_index_when_there_is_room();
    void update_systemd_status();
    void dispatch(const Request& request, ControlServer::Responder respond);
    nlohmann::json status_json();
    db::Index& reader();

    ProblemBoard problems_;  // thread-safe; before everything that reports to it
    config::Config config_;
    std::shared_ptr<const config::Config> shared_config_;  // what other threads read
    DaemonOptions options_;
    boost::asio::io_context io_;
    InstanceLock lock_;
    ModelSelection model_selection_;
    std::shared_ptr<const core::TrackAnalyzer> analyzer_;
    std::int64_t model_id_ = 0;
    std::int64_t similarity_model_id_ = 0;  // 0: similarity off
    std::unique_ptr<IndexWriter> writer_;
    std::unique_ptr<PlaylistPublisher> publisher_;
    std::optional<db::Index> reader_;  // the loop's read-only connection (status)
    WorkQueue queue_;
    std::unique_ptr<AnalysisPool> pool_;
    std::unique_ptr<LibraryWatcher> watcher_;
    std::unique_ptr<ControlServer> control_;
    std::unique_ptr<PublishedDaemonRecord> record_;  // while control_ listens
    std::unique_ptr<mpd::QueueKeeper> queue_keeper_;  // [mpd] keep_playing, once switched on
    SettleQueue settle_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer settle_timer_;
    boost::asio::steady_timer playlist_timer_;
    boost::asio::steady_timer rescan_timer_;
    boost::asio::steady_timer offline_timer_;
    boost::asio::steady_timer housekeeping_timer_;
    std::vector<std::filesystem::path> offline_roots_;
    std::map<std::filesystem::path, int> transient_failures_;  // file -> attempts, for back-off
    bool settle_timer_armed_ = false;
    bool playlists_pending_ = false;
    bool stopping_ = false;
    // Set when the index changed (on the writer's thread too) and not yet
    // published at exit: what shutdown() must still write.
    std::atomic<bool> playlists_stale_{false};
    int exit_code_ = 0;

    // Shared with the scan thread.
    std::mutex scan_mutex_;
    std::condition_variable_any scan_wake_;
    std::deque<std::optional<std::filesystem::path>> scan_requests_;  // nullopt = whole library
    ScanSettings scan_settings_;
    std::atomic<bool> scanning_{false};
    std::atomic<bool> scan_stop_{false};
    std::atomic<std::uint64_t> scans_completed_{0};
    std::jthread scan_thread_;
};

}  // namespace vibed::daemon
