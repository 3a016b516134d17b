#include "daemon/service/daemon.hpp"

#include "core/util/counted.hpp"

#include <unistd.h>

#include <fstream>
#include <string_view>

#include <boost/asio/executor_work_guard.hpp>
#include <spdlog/spdlog.h>

#include "core/audio/audio_decoder.hpp"
#include "core/model/model_locator.hpp"
#include "core/util/backoff.hpp"
#include "core/util/free_memory.hpp"
#include "daemon/mpd/similar_tracks.hpp"
#include "daemon/app/playlist_builder.hpp"
#include "daemon/service/guarded.hpp"
#include "daemon/service/systemd_notify.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Bounded so memory stays flat on any library: the scanner waits when full.
constexpr std::size_t kQueueCapacity = 256;
constexpr auto kSettleTick = 500ms;
constexpr auto kHousekeepingInterval = 1s;
// A file whose analysis hit resource trouble (out of descriptors, memory, an
// I/O error) is tried again after 5 s, 10 s, 20 s ... up to 10 minutes.
// A file the analysis could not read for now (resource trouble, not the file's fault).
constexpr util::Backoff kAnalysisRetry{std::chrono::seconds(5), std::chrono::minutes(10)};
// How long the loop waits for the writer before giving up on a reload or stop.
constexpr auto kPipelineFlushTimeout = std::chrono::seconds(5);

ScanOptions scan_options(const config::Config& config) {
    return ScanOptions{config.library.exclude, config.library.follow_symlinks};
}

// A database path pointing at a file that is not SQLite (a music file, say)
// is refused before anything is created next to it (the lock file).
const fs::path& checked_database_path(const fs::path& database) {
    std::ifstream in(database, std::ios::binary);
    if (!in) return database;  // absent: it will be created
    char header[16] = {};
    in.read(header, sizeof header);
    if (in.gcount() > 0 && std::string_view(header, static_cast<std::size_t>(in.gcount())) !=
                               std::string_view("SQLite format 3\0", 16).substr(0, static_cast<std::size_t>(in.gcount()))) {
        throw std::runtime_error(database.string() + ": not an SQLite database, so not a vibed index; check [database] path");
    }
    return database;
}

}  // namespace

Daemon::Daemon(config::Config config, DaemonOptions options)
    : config_(std::move(config)),
      options_(std::move(options)),
      lock_(checked_database_path(config_.database.path)),
      queue_(kQueueCapacity),
      settle_(config_.daemon.settle),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      settle_timer_(io_),
      playlist_timer_(io_),
      housekeeping_timer_(io_) {
    LoadedModel loaded = load_model(config_, /*load_network=*/false);
    model_selection_ = loaded.selection;
    analyzer_ = loaded.analyzer;
    db::Index index = open_index_when_there_is_room();
    model_id_ = index.ensure_model(model_selection_.name, analyzer_->model().sha256());
    writer_ = std::make_unique<IndexWriter>(
        std::move(index), model_id_, problems_,
        [this](std::size_t stored) {
            if (stored == 0) return;
            playlists_stale_ = true;
            boost::asio::post(io_, guarded("playlists", [this] { schedule_playlists(); }));
        },
        [this](bool results_dropped) {
            // Results let go while the database refused: their files are still pending.
            if (results_dropped) boost::asio::post(io_, guarded("scan", [this] { request_scan(std::nullopt); }));
        });
    scans_ = std::make_unique<ScanService>(*writer_, queue_, problems_, static_cast<ScanListener&>(*this));
    // Bounded: vibectl waits 30 s for the reply to publish-playlists.
    status_ = std::make_unique<StatusService>(problems_);
    publisher_ = std::make_unique<PlaylistPublisher>(problems_, [this] { writer_->flush(std::chrono::seconds(10)); });
    publish_config();
    spdlog::info("index {}; model {} ({}, sha256 {}; loaded when a file needs analysing)", config_.database.path.string(),
                 model_selection_.name, model_selection_.file.string(), analyzer_->model().sha256().substr(0, 12));
}

Daemon::~Daemon() { shutdown(); }

// A full disk is resource trouble, not a reason to exit, even before the
// index exists: vibed says so once and tries again (1 s doubling to 30 s).
// The loop does not run yet, so this wait listens for SIGTERM/SIGINT itself.
db::Index Daemon::open_index_when_there_is_room() {
    bool waited = false;
    for (auto delay = std::chrono::seconds(1);; delay = std::min(delay * 2, std::chrono::seconds(30))) {
        try {
            db::Index index = db::Index::open(config_.database.path);
            if (waited) spdlog::info("{}: there is room again", config_.database.path.string());
            return index;
        } catch (const db::SqliteError& e) {
            if (e.trouble() != db::SqliteError::Trouble::disk_full) throw;
            if (!waited) spdlog::error("{}; waiting for free space (vibed retries until there is some)", e.what());
            waited = true;
        }
        bool signalled = false;
        signals_.async_wait([&signalled](const boost::system::error_code& error, int) { signalled = !error; });
        io_.run_for(delay);
        signals_.cancel();
        io_.restart();
        io_.poll();  // the cancelled wait's handler, before `signalled` goes out of scope
        io_.restart();
        if (signalled) throw std::runtime_error("stopped while waiting for free space for the index");
    }
}

int Daemon::run() {
    set_up_derived_models();
    start_pipeline();
    if (!options_.once) {
        control_ = std::make_unique<ControlServer>(
            io_, config_.daemon.socket,
            [this](const Request& request, ControlServer::Responder respond) { dispatch(request, std::move(respond)); },
            problems_);
        presence_ = std::make_unique<LibraryPresence>(io_, static_cast<PresenceListener&>(*this));
        presence_->watch(config_.library.paths, config_.library.exclude);
        presence_->set_rescan_interval(config_.daemon.rescan_interval);
        presence_->start_rescans();
        spdlog::info("listening on {}", config_.daemon.socket.string());
        publish_record();
        update_queue_keeper();
        // The files may be older than the index (a kill -9 within
        // regenerate_delay, a folder emptied by hand) or missing: bring them
        // up to date now. Unchanged files are compared, not rewritten, and
        // temporaries left by a killed writer are removed.
        publish_playlists_now();
    }
    handle_signals();
    request_scan(std::nullopt);
    on_idle_check();
    systemd::notify_ready();
    // Work may be elsewhere for a while (the publisher in --once mode): the
    // loop runs until shutdown() stops it, not until it has nothing queued.
    auto keep_running = boost::asio::make_work_guard(io_);
    // The handlers catch their own errors; this is the last line of defence.
    while (!stopping_) {
        try {
            io_.run();
        } catch (const std::exception& e) {
            spdlog::error("event loop: {}", e.what());
        }
    }
    return exit_code_;
}

// So that a vibectl not told which config this daemon runs with finds it.
void Daemon::publish_record() {
    const DaemonRecord record{fs::absolute(config_.daemon.socket),
                              config_.source.empty() ? fs::path() : fs::absolute(config_.source), config_.text,
                              fs::absolute(config_.database.path), ::getpid(),
                              core::digest_of_current(model_selection_.file, analyzer_->model().sha256())};
    try {
        record_.reset();  // its destructor removes the file: before the new one is written
        record_ = std::make_unique<PublishedDaemonRecord>(record);
    } catch (const std::exception& e) {
        spdlog::warn("{}; vibectl finds this daemon only with the same config", e.what());
    }
}

void Daemon::publish_config() {
    shared_config_ = std::make_shared<const config::Config>(config_);
    set_scan_settings();
    if (presence_) presence_->set_rescan_interval(config_.daemon.rescan_interval);
    if (control_) update_queue_keeper();  // running (not --once, not still starting)
}

void Daemon::update_queue_keeper() {
    if (queue_keeper_) return queue_keeper_->update(shared_config_, model_id_);
    if (!config_.mpd_client.keep_playing) return;
    queue_keeper_ = std::make_unique<mpd::QueueKeeper>(shared_config_, model_id_, problems_, mpd::suggest_for_the_time);
}

void Daemon::set_scan_settings() {
    scans_->set_settings(ScanSettings{config_.library.paths, scan_options(config_), config_.daemon.settle, model_id_});
}

void Daemon::set_up_derived_models() {
    const DerivedModelIds ids = register_derived_models(*writer_, *analyzer_);
    writer_->set_mood_model(ids.mood);
    similarity_model_id_ = ids.similarity;
    writer_->set_similarity_model(ids.similarity);
    refresh_moods(*writer_, *analyzer_);
    refresh_vectors(*writer_, *analyzer_, similarity_model_id_);
    util::release_free_memory();  // the batches of stored inputs, freed
}

void Daemon::start_pipeline() {
    queue_.reopen();
    pool_ = std::make_unique<AnalysisPool>(analyzer_, queue_, config_.analysis.worker_count(),
                                           [this](AnalysisOutcome&& outcome) { on_outcome(std::move(outcome)); });
    scans_->start();
}

// On a worker thread.
void Daemon::on_outcome(AnalysisOutcome&& outcome) {
    if (!outcome.transient) {
        if (outcome.analysis) problems_.clear("analysis");
        writer_->add(std::move(outcome));
        return;
    }
    // Never recorded: the file is not at fault. Tried again later, and shown
    // in `vibectl status` meanwhile.
    problems_.report("analysis", outcome.error + " (not the file's fault; retrying)");
    boost::asio::post(io_, guarded("analysis retry", [this, file = std::move(outcome.path)] { retry_later(file); }));
}

void Daemon::retry_later(const fs::path& file) {
    if (transient_failures_.size() > 10'000) transient_failures_.clear();  // only the back-off is lost
    const int attempts = ++transient_failures_[file];
    const auto delay = std::chrono::duration_cast<SettleQueue::Clock::duration>(kAnalysisRetry.after(attempts));
    // The settle queue hands it back once due (and unchanged); the settle
    // time is added on top of `now`, hence the subtraction.
    settle_.touch(file, SettleQueue::Clock::now() + delay - config_.daemon.settle);
    arm_settle_timer();
}

void Daemon::stop_pipeline() {
    scans_->stop();
    if (pool_) pool_->stop();  // waits for the files in flight
    pool_.reset();
    if (writer_ && !writer_->flush(kPipelineFlushTimeout)) {
        spdlog::warn("the database has not accepted the last results yet; they stay queued");
    }
}

void Daemon::request_scan(std::optional<fs::path> folder) { scans_->request(std::move(folder)); }

void Daemon::on_scan_finished(const std::optional<fs::path>&, const SyncReport& report) {
    if (report.removed > 0) boost::asio::post(io_, guarded("playlists", [this] { schedule_playlists(); }));
    if (!report.settling.empty()) {
        boost::asio::post(io_, guarded("scan", [this, settling = report.settling] {
            for (const auto& file : settling) settle_.touch(file);
            arm_settle_timer();
        }));
    }
    if (!report.offline.empty()) {
        boost::asio::post(io_, guarded("scan", [this, offline = report.offline] {
            for (const auto& root : offline) {
                if (presence_) presence_->mark_offline(root);
            }
        }));
    }
}

void Daemon::on_scan_needed(std::optional<fs::path> folder) { request_scan(std::move(folder)); }

void Daemon::on_file_event(const WatchEvent& event) {
    using Kind = WatchEvent::Kind;
    switch (event.kind) {
        case Kind::file_changed:
            if (core::has_audio_extension(event.path)) settle_.touch(event.path);
            break;
        case Kind::file_removed:
        case Kind::folder_removed:
            settle_.forget(event.path);
            if (event.is_folder) {
                writer_->add(RemoveFolder{event.path});
            } else {
                writer_->add(RemoveTrack{event.path});
            }
            schedule_playlists();
            break;
        case Kind::moved:
            settle_.rename(event.from, event.path);
            if (event.is_folder) {
                writer_->add(MoveFolder{event.from, event.path});
            } else if (!core::has_audio_extension(event.path)) {
                writer_->add(RemoveTrack{event.from});
            } else {
                // Analysed under the new name unless the index already has a
                // result for this version: a file never indexed is new, and one
                // renamed while a worker analysed it is still pending (that
                // result, for the old name, is dropped as stale).
                writer_->add(MoveTrack{event.from, event.path, [this, to = event.path](bool) {
                                           boost::asio::post(io_, guarded("file event", [this, to] {
                                               settle_.touch(to);
                                               arm_settle_timer();
                                           }));
                                       }});
            }
            schedule_playlists();
            break;
        case Kind::folder_added:
            request_scan(event.path);
            break;
        case Kind::overflow:
            request_scan(std::nullopt);
            break;
        case Kind::root_lost:
            break;  // LibraryPresence's
    }
    arm_settle_timer();
}

// Armed at most once: re-arming on every event would keep pushing the tick
// back during a mass copy, and nothing would be analysed until it ended.
void Daemon::arm_settle_timer() {
    if (settle_timer_armed_ || settle_.empty()) return;
    settle_timer_armed_ = true;
    settle_timer_.expires_after(kSettleTick);
    settle_timer_.async_wait(guarded("settle", [this](const boost::system::error_code& error) {
        settle_timer_armed_ = false;
        if (!error) on_settle_tick();
    }));
}

void Daemon::on_settle_tick() {
    for (const auto& file : settle_.take_ready()) queue_for_analysis(file);
    arm_settle_timer();
}

// The writer decides (it owns the index): pending unless this version is
// already analysed; then the file goes to the workers.
void Daemon::queue_for_analysis(const fs::path& file) {
    const auto stamp = util::stamp_of(file);
    if (!stamp) return;
    writer_->add(MarkForAnalysis{file, *stamp, [this, file](bool needs_analysis) {
                                     if (!needs_analysis) return;
                                     if (queue_.try_push(file) != WorkQueue::PushResult::full) return;
                                     boost::asio::post(io_, guarded("settle", [this, file] {
                                         settle_.touch(file);  // the queue was full: try again shortly
                                         arm_settle_timer();
                                     }));
                                 }});
}

void Daemon::schedule_playlists() {
    playlists_stale_ = true;
    if (playlists_pending_ || stopping_) return;
    playlists_pending_ = true;
    // Debounced: a mass import rewrites the playlists once it calms down.
    playlist_timer_.expires_after(config_.playlists.regenerate_delay);
    playlist_timer_.async_wait(guarded("playlists", [this](const boost::system::error_code& error) {
        playlists_pending_ = false;
        if (!error) publish_playlists_now();
    }));
}

void Daemon::publish_playlists_now() { publisher_->request(shared_config_, model_id_); }

// On the loop thread, at shutdown only (the publisher thread is gone by then),
// with a read-only connection of its own like the publisher's.
void Daemon::publish_before_exit() noexcept {
    try {
        db::Index index = db::Index::open_readonly(config_.database.path);
        const auto report = publish_playlists(index, model_id_, config_, draws_file_for(config_.database.path));
        for (const auto& problem : report.problems) spdlog::warn("{}", problem);
        for (const auto& removed : report.removed) {
            spdlog::info("removed {}: its playlist is no longer configured", removed.string());
        }
        spdlog::info("playlists before exit: {} written, {} unchanged", util::counted(report.written, "file"), report.unchanged);
    } catch (const std::exception& e) {
        spdlog::error("cannot write the playlists before exit: {}", e.what());
    }
}

// Housekeeping once a second: the systemd watchdog and status line, and in
// --once mode the check for "everything analysed".
void Daemon::on_idle_check() {
    housekeeping_timer_.expires_after(kHousekeepingInterval);
    housekeeping_timer_.async_wait(guarded("housekeeping", [this](const boost::system::error_code& error) {
        if (error || stopping_) return;
        systemd::notify_watchdog();
        update_systemd_status();
        const bool idle = scans_->scans_completed() > 0 && scans_->idle() && queue_.size() == 0 && settle_.empty() &&
                          (!pool_ || pool_->counters().in_flight == 0);
        if (options_.once && idle) {
            publisher_->request(shared_config_, model_id_, /*flush_first=*/true, [this](bool ok) {
                const auto published = publisher_->summary();
                const bool wrote_nothing = published.files_failed > 0 && published.files_written == 0 &&
                                           published.files_unchanged == 0;
                boost::asio::post(io_, guarded("stop", [this, ok, wrote_nothing] {
                    if (!ok || wrote_nothing) {
                        spdlog::error("{} playlist file could be written (see above)", wrote_nothing ? "no" : "not every");
                        exit_code_ = 1;
                    }
                    playlists_stale_ = false;  // just published, with everything analysed
                    shutdown();
                }));
            });
            return;
        }
        on_idle_check();
    }));
}

void Daemon::update_systemd_status() {
    const auto counters = pool_ ? pool_->counters() : PoolCounters{};
    std::string line = "analysed " + std::to_string(counters.analysed) + ", failed " + std::to_string(counters.failed) +
                       ", queued " + std::to_string(queue_.size());
    const auto problems = problems_.current();
    if (!problems.empty()) line += "; " + problems.front().area + ": " + problems.front().message;
    systemd::notify_status(line);
}

void Daemon::handle_signals() {
    signals_.async_wait(guarded("signals", [this](const boost::system::error_code& error, int signal) {
        if (error) return;
        if (signal == SIGHUP) {
            handle_signals();  // first: a failing reload must not leave SIGHUP unhandled
            reload_config({});
            return;
        }
        spdlog::info("received {}; finishing the tracks in flight", signal == SIGTERM ? "SIGTERM" : "SIGINT");
        shutdown();
    }));
}

void Daemon::shutdown() {
    if (stopping_) return;
    stopping_ = true;
    systemd::notify_stopping();
    reloads_.reset();       // waits for a reload being prepared (a model loading)
    queue_keeper_.reset();  // waits at most for the MPD request in flight
    record_.reset();
    control_.reset();
    presence_.reset();
    stop_pipeline();
    publisher_.reset();  // finishes a publish in progress
    // Stopped within regenerate_delay of an index change: write the playlists
    // now, or they would miss it until the next start.
    if (playlists_stale_) publish_before_exit();
    // Read-only connections first: the writer's, closed last, can then
    // checkpoint and remove the WAL (a reader closed last cannot).
    status_.reset();
    writer_.reset();     // final commit and checkpoint
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    for (auto* timer : {&settle_timer_, &playlist_timer_, &housekeeping_timer_}) {
        timer->cancel();
    }
    io_.stop();
    spdlog::info("stopped");
}

}  // namespace vibed::daemon
