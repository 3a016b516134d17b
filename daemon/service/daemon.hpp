#pragma once
// vibed itself: the one place that wires the index, the model, the watcher,
// the workers, the playlists and the control socket together around one
// Boost.Asio event loop.
//
// Threads: the event loop (watcher, settle timer, control socket, signals),
// and the services, each owning its threads: the scan service, N analysis
// workers, the index writer, the playlist publisher and the MPD keeper. Only the event loop touches the members below unless noted; the
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
#include <functional>
#include <map>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "config/config.hpp"
#include "core/analysis/track_analyzer.hpp"
#include "daemon/app/model_selection.hpp"
#include "daemon/control/control_server.hpp"
#include "daemon/control/daemon_record.hpp"
#include "daemon/mpd/queue_keeper.hpp"
#include "daemon/service/analysis_pool.hpp"
#include "daemon/service/coalescing_worker.hpp"
#include "daemon/service/index_writer.hpp"
#include "daemon/service/instance_lock.hpp"
#include "daemon/service/library_presence.hpp"
#include "daemon/service/library_sync.hpp"
#include "daemon/service/model_setup.hpp"
#include "daemon/service/playlist_publisher.hpp"
#include "daemon/service/problem_board.hpp"
#include "daemon/service/scan_service.hpp"
#include "daemon/service/settle_queue.hpp"
#include "daemon/service/status_service.hpp"
#include "daemon/service/work_queue.hpp"
#include "daemon/watch/library_watcher.hpp"

namespace vibed::daemon {

struct DaemonOptions {
    std::optional<std::filesystem::path> config_path;  // re-read on SIGHUP
    // Index the library, write the playlists and exit instead of watching.
    bool once = false;
};

class Daemon : private ScanListener, private PresenceListener {
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
    // Registers the analyzer's mood and similarity models, tells the writer,
    // and brings stored moods and vectors up to date (no audio decoded).
    void set_up_derived_models();
    void start_pipeline();
    void on_outcome(AnalysisOutcome&& outcome);
    void retry_later(const std::filesystem::path& file);
    void stop_pipeline();
    void request_scan(std::optional<std::filesystem::path> folder);
    // On the scan thread: hands what the scan found to the loop.
    void on_scan_finished(const std::optional<std::filesystem::path>& folder, const SyncReport& report) override;
    // From the library's presence, on the loop.
    void on_file_event(const WatchEvent& event) override;
    void on_scan_needed(std::optional<std::filesystem::path> folder) override;
    void on_settle_tick();
    void arm_settle_timer();
    void queue_for_analysis(const std::filesystem::path& file);
    void schedule_playlists();
    void publish_playlists_now();
    void publish_before_exit() noexcept;
    void on_idle_check();
    void handle_signals();
    // Called on the loop once the reload was applied or refused: nullopt on
    // success, else why the old configuration was kept.
    using ReloadDone = std::function<void(const std::optional<std::string>& failure)>;
    struct ReloadRequest {
        std::shared_ptr<const config::Config> running;  // what the new file is compared with
        std::vector<ReloadDone> done;
        void merge(ReloadRequest&& newer);
    };
    struct PreparedReload {
        config::Config config;
        std::optional<LoadedModel> model;  // loaded when the analysis changes
        std::int64_t model_id = 0;
    };
    // daemon_reload.cpp: prepared on the reload worker, applied on the loop.
    void reload_config(ReloadDone done);
    bool prepare_reload(ReloadRequest& request);
    void prepare_model(PreparedReload& prepared);
    void apply_reload(PreparedReload prepared, const std::vector<ReloadDone>& done);
    void finish_reload(const std::optional<std::string>& failure, const std::vector<ReloadDone>& done);
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
    [[nodiscard]] DaemonActivity activity() const;

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
    std::unique_ptr<ScanService> scans_;  // after writer_, which it writes through
    std::unique_ptr<PlaylistPublisher> publisher_;
    std::unique_ptr<StatusService> status_;  // after writer_: its read-only connection closes first
    WorkQueue queue_;
    std::unique_ptr<AnalysisPool> pool_;
    std::unique_ptr<LibraryPresence> presence_;  // watching (not in --once mode)
    std::unique_ptr<ControlServer> control_;
    std::unique_ptr<PublishedDaemonRecord> record_;  // while control_ listens
    std::unique_ptr<mpd::QueueKeeper> queue_keeper_;  // [mpd] keep_playing, once switched on
    std::unique_ptr<CoalescingWorker<ReloadRequest>> reloads_;  // started by the first reload
    SettleQueue settle_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer settle_timer_;
    boost::asio::steady_timer playlist_timer_;
    boost::asio::steady_timer housekeeping_timer_;
    std::map<std::filesystem::path, int> transient_failures_;  // file -> attempts, for back-off
    bool settle_timer_armed_ = false;
    bool playlists_pending_ = false;
    bool stopping_ = false;
    // Set when the index changed (on the writer's thread too) and not yet
    // published at exit: what shutdown() must still write.
    std::atomic<bool> playlists_stale_{false};
    int exit_code_ = 0;
};

}  // namespace vibed::daemon
