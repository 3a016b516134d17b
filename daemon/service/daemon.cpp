#include "daemon/service/daemon.hpp"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "core/audio/audio_decoder.hpp"
#include "core/model/model_locator.hpp"
#include "daemon/service/library_sync.hpp"
#include "daemon/service/playlist_builder.hpp"
#include "daemon/service/systemd_notify.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Bounded so memory stays flat on any library: the scanner waits when full.
constexpr std::size_t kQueueCapacity = 256;
constexpr auto kSettleTick = 500ms;
constexpr auto kOfflineCheckInterval = 5s;  // a stat() per missing folder: cheap
constexpr auto kHousekeepingInterval = 1s;
// Without inotify (watch limit reached) the library is rescanned this often
// unless the config asks for something more frequent.
constexpr auto kFallbackRescanInterval = std::chrono::minutes(10);

ScanOptions scan_options(const config::Config& config) {
    return ScanOptions{config.library.exclude, config.library.follow_symlinks};
}

std::string model_display_name(const config::ModelChoice& choice) {
    switch (choice.kind) {
        case config::ModelChoice::Kind::student: return std::string(core::kDefaultModelName);
        case config::ModelChoice::Kind::vibenet: return std::string(core::kTeacherModelName);
        case config::ModelChoice::Kind::file: return choice.file.stem().string();
    }
    return "unknown";
}

core::AnalysisOptions analysis_options(const config::Config& config) {
    core::AnalysisOptions options;
    if (config.analysis.segment.count() > 0) {
        options.segment_seconds = static_cast<double>(config.analysis.segment.count());
    }
    return options;
}

}  // namespace

ModelSelection select_model(const config::ModelChoice& choice) {
    const std::string name = model_display_name(choice);
    const fs::path file = choice.kind == config::ModelChoice::Kind::file ? choice.file : core::resolve_model(name);
    return {file, name};
}

Daemon::Daemon(config::Config config, DaemonOptions options)
    : config_(std::move(config)),
      options_(std::move(options)),
      lock_(config_.database.path),
      queue_(kQueueCapacity),
      settle_(config_.daemon.settle),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      settle_timer_(io_),
      playlist_timer_(io_),
      rescan_timer_(io_),
      offline_timer_(io_),
      housekeeping_timer_(io_) {
    model_selection_ = select_model(config_.analysis.model);
    auto model = core::AttributeModel::load(model_selection_.file,
                                            core::ModelOptions{static_cast<int>(config_.analysis.intra_op_threads)});
    analyzer_ = std::make_shared<core::TrackAnalyzer>(model, analysis_options(config_));
    db::Index index = db::Index::open(config_.database.path);
    model_id_ = index.ensure_model(model_selection_.name, model->sha256());
    writer_ = std::make_unique<IndexWriter>(std::move(index), model_id_, [this](std::size_t stored) {
        if (stored > 0) boost::asio::post(io_, [this] { schedule_playlists(); });
    });
    spdlog::info("index {}; model {} ({}, sha256 {})", config_.database.path.string(), model_selection_.name,
                 model_selection_.file.string(), model->sha256().substr(0, 12));
}

Daemon::~Daemon() { shutdown(); }

int Daemon::run() {
    start_pipeline();
    if (!options_.once) {
        control_ = std::make_unique<ControlServer>(io_, config_.daemon.socket,
                                                   [this](const Request& request) { return dispatch(request); });
        watch_library();
        spdlog::info("listening on {}", config_.daemon.socket.string());
    }
    handle_signals();
    request_scan(std::nullopt);
    schedule_rescan();
    on_idle_check();
    systemd::notify_ready();
    io_.run();
    return exit_code_;
}

void Daemon::start_pipeline() {
    queue_.reopen();
    pool_ = std::make_unique<AnalysisPool>(analyzer_, queue_, config_.analysis.worker_count(),
                                           [this](AnalysisOutcome&& outcome) { writer_->add(std::move(outcome)); });
    scan_stop_ = false;
    scan_thread_ = std::jthread([this](std::stop_token stop) { scan_loop(stop); });
}

void Daemon::stop_pipeline() {
    scan_stop_ = true;
    if (scan_thread_.joinable()) {
        scan_thread_.request_stop();
        queue_.close();  // unblocks a scan waiting for room in the queue
        scan_thread_.join();
    }
    if (pool_) pool_->stop();  // waits for the files in flight
    pool_.reset();
    if (writer_) writer_->flush();
}

void Daemon::watch_library() {
    watcher_ = std::make_unique<LibraryWatcher>(
        io_, [this](const WatchEvent& event) { on_watch_event(event); },
        [this](const fs::path& path) { return is_excluded(path, config_.library.exclude); });
    for (const auto& root : config_.library.paths) {
        std::error_code error;
        if (!fs::is_directory(root, error)) {
            spdlog::warn("{}: library folder not found; will look for it again every {}s", root.string(),
                         std::chrono::duration_cast<std::chrono::seconds>(kOfflineCheckInterval).count());
            offline_roots_.push_back(root);
            continue;
        }
        if (!watcher_->watch_root(root)) break;  // limit reached: periodic rescans take over
    }
    spdlog::info("watching {} folders", watcher_->watch_count());
    if (!offline_roots_.empty()) check_offline_roots();
}

void Daemon::request_scan(std::optional<fs::path> folder) {
    {
        std::lock_guard lock(scan_mutex_);
        // A whole-library scan covers every narrower request already waiting.
        if (!folder) scan_requests_.clear();
        scan_requests_.push_back(std::move(folder));
    }
    scan_wake_.notify_one();
}

void Daemon::scan_loop(std::stop_token stop) {
    while (!stop.stop_requested()) {
        std::optional<fs::path> folder;
        {
            std::unique_lock lock(scan_mutex_);
            if (!scan_wake_.wait(lock, stop, [&] { return !scan_requests_.empty(); })) return;
            folder = scan_requests_.front();
            scan_requests_.pop_front();
            scanning_ = true;
        }
        const auto folders = folder ? std::vector<fs::path>{*folder} : config_.library.paths;
        const auto started = std::chrono::steady_clock::now();
        try {
            const SyncReport report = sync_folders(folders, scan_options(config_), config_.daemon.settle, *writer_,
                                                   model_id_, queue_, scan_stop_);
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            spdlog::info("scanned {}: {} audio files, {} to analyse, {} removed ({:.1f}s)",
                         folder ? folder->string() : "library", report.files_seen, report.queued, report.removed, seconds);
            if (report.removed > 0) boost::asio::post(io_, [this] { schedule_playlists(); });
            if (!report.settling.empty()) {
                boost::asio::post(io_, [this, settling = report.settling] {
                    for (const auto& file : settling) settle_.touch(file);
                    arm_settle_timer();
                });
            }
            if (!report.offline.empty()) {
                boost::asio::post(io_, [this, offline = report.offline] {
                    for (const auto& root : offline) {
                        if (std::find(offline_roots_.begin(), offline_roots_.end(), root) == offline_roots_.end()) {
                            offline_roots_.push_back(root);
                        }
                    }
                    check_offline_roots();
                });
            }
        } catch (const std::exception& e) {
            spdlog::error("scan failed: {}", e.what());
        }
        scanning_ = false;
        ++scans_completed_;
    }
}

void Daemon::on_watch_event(const WatchEvent& event) {
    using Kind = WatchEvent::Kind;
    switch (event.kind) {
        case Kind::file_changed:
            if (core::has_audio_extension(event.path)) settle_.touch(event.path);
            break;
        case Kind::file_removed:
        case Kind::folder_removed:
            settle_.forget(event.path);
            writer_->with_index([&](db::Index& index) {
                if (event.is_folder) {
                    index.remove_prefix(event.path);
                } else {
                    index.remove_path(event.path);
                }
            });
            schedule_playlists();
            break;
        case Kind::moved:
            settle_.rename(event.from, event.path);
            if (event.is_folder) {
                writer_->with_index([&](db::Index& index) { return index.rename_prefix(event.from, event.path); });
            } else if (!core::has_audio_extension(event.path)) {
                writer_->with_index([&](db::Index& index) { return index.remove_path(event.from); });
            } else if (!writer_->with_index([&](db::Index& index) { return index.rename_path(event.from, event.path); })) {
                settle_.touch(event.path);  // it was never indexed: treat as new
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
            spdlog::warn("{}: library folder went away (unmounted?); its tracks stay indexed", event.path.string());
            if (std::find(offline_roots_.begin(), offline_roots_.end(), event.path) == offline_roots_.end()) {
                offline_roots_.push_back(event.path);
            }
            check_offline_roots();
            break;
    }
    arm_settle_timer();
}

// Armed at most once: re-arming on every event would keep pushing the tick
// back during a mass copy, and nothing would be analysed until it ended.
void Daemon::arm_settle_timer() {
    if (settle_timer_armed_ || settle_.empty()) return;
    settle_timer_armed_ = true;
    settle_timer_.expires_after(kSettleTick);
    settle_timer_.async_wait([this](const boost::system::error_code& error) {
        settle_timer_armed_ = false;
        if (!error) on_settle_tick();
    });
}

void Daemon::on_settle_tick() {
    for (const auto& file : settle_.take_ready()) queue_for_analysis(file);
    arm_settle_timer();
}

void Daemon::queue_for_analysis(const fs::path& file) {
    const auto stamp = stamp_of(file);
    if (!stamp) return;
    const auto known = writer_->with_index([&](db::Index& index) { return index.file_state(file, model_id_); });
    if (known && known->size == stamp->size && known->mtime_ns == stamp->mtime_ns &&
        (known->status == db::TrackStatus::error || (known->status == db::TrackStatus::ok && known->has_attributes))) {
        return;  // closed without a change (a player or tagger that only read it)
    }
    writer_->with_index([&](db::Index& index) { index.upsert_pending(file, stamp->size, stamp->mtime_ns); });
    if (queue_.try_push(file) == WorkQueue::PushResult::full) settle_.touch(file);  // try again shortly
}

void Daemon::schedule_playlists() {
    if (playlists_pending_ || stopping_) return;
    playlists_pending_ = true;
    // Debounced: a mass import rewrites the playlists once it calms down.
    playlist_timer_.expires_after(config_.playlists.regenerate_delay);
    playlist_timer_.async_wait([this](const boost::system::error_code& error) {
        playlists_pending_ = false;
        if (!error) publish_playlists_now();
    });
}

void Daemon::publish_playlists_now() {
    if (config_.outputs.empty()) return;
    const auto report = writer_->with_index([&](db::Index& index) {
        return publish_playlists(index, model_id_, config_, draws_file_for(config_.database.path));
    });
    for (const auto& problem : report.problems) spdlog::warn("{}", problem);
    if (report.written > 0) spdlog::info("playlists: {} files written, {} unchanged", report.written, report.unchanged);
}

void Daemon::schedule_rescan() {
    auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(config_.daemon.rescan_interval);
    if (watcher_ && watcher_->limit_reached() && (interval.count() == 0 || interval > kFallbackRescanInterval)) {
        interval = kFallbackRescanInterval;
    }
    if (interval.count() == 0 || options_.once) return;
    rescan_timer_.expires_after(interval);
    rescan_timer_.async_wait([this](const boost::system::error_code& error) {
        if (error) return;
        request_scan(std::nullopt);
        schedule_rescan();
    });
}

void Daemon::check_offline_roots() {
    offline_timer_.expires_after(kOfflineCheckInterval);
    offline_timer_.async_wait([this](const boost::system::error_code& error) {
        if (error) return;
        std::vector<fs::path> still_offline;
        for (const auto& root : offline_roots_) {
            std::error_code fs_error;
            if (fs::is_directory(root, fs_error) && !fs::is_empty(root, fs_error)) {
                spdlog::info("{}: library folder is back; rescanning it", root.string());
                if (watcher_) watcher_->watch_root(root);
                request_scan(root);
            } else {
                still_offline.push_back(root);
            }
        }
        offline_roots_ = std::move(still_offline);
        if (!offline_roots_.empty()) check_offline_roots();
    });
}

// Housekeeping once a second: the systemd watchdog and status line, and in
// --once mode the check for "everything analysed".
void Daemon::on_idle_check() {
    housekeeping_timer_.expires_after(kHousekeepingInterval);
    housekeeping_timer_.async_wait([this](const boost::system::error_code& error) {
        if (error || stopping_) return;
        systemd::notify_watchdog();
        update_systemd_status();
        const bool idle = scans_completed_ > 0 && !scanning_ && queue_.size() == 0 && settle_.empty() &&
                          (!pool_ || pool_->counters().in_flight == 0);
        if (options_.once && idle) {
            writer_->flush();
            publish_playlists_now();
            shutdown();
            return;
        }
        on_idle_check();
    });
}

void Daemon::update_systemd_status() {
    const auto counters = pool_ ? pool_->counters() : PoolCounters{};
    systemd::notify_status("analysed " + std::to_string(counters.analysed) + ", failed " +
                           std::to_string(counters.failed) + ", queued " + std::to_string(queue_.size()));
}

void Daemon::handle_signals() {
    signals_.async_wait([this](const boost::system::error_code& error, int signal) {
        if (error) return;
        if (signal == SIGHUP) {
            reload_config();
            handle_signals();
            return;
        }
        spdlog::info("received {}; finishing the tracks in flight", signal == SIGTERM ? "SIGTERM" : "SIGINT");
        shutdown();
    });
}

void Daemon::reload_config() {
    systemd::notify_reloading();
    try {
        config::Config fresh = config::load_config(options_.config_path);
        const bool pipeline_changed = fresh.library.paths != config_.library.paths ||
                                      fresh.library.exclude != config_.library.exclude ||
                                      fresh.analysis.model.kind != config_.analysis.model.kind ||
                                      fresh.analysis.model.file != config_.analysis.model.file ||
                                      fresh.analysis.workers != config_.analysis.workers;
        if (fresh.database.path != config_.database.path) {
            spdlog::warn("the database path changed; that takes effect after a restart");
            fresh.database.path = config_.database.path;
        }
        if (pipeline_changed) {
            spdlog::info("library, model or workers changed: restarting the analysis pipeline");
            stop_pipeline();
            config_ = std::move(fresh);
            model_selection_ = select_model(config_.analysis.model);
            auto model = core::AttributeModel::load(model_selection_.file);
            analyzer_ = std::make_shared<core::TrackAnalyzer>(model, analysis_options(config_));
            model_id_ = writer_->with_index(
                [&](db::Index& index) { return index.ensure_model(model_selection_.name, model->sha256()); });
            writer_->set_model(model_id_);
            start_pipeline();
            if (control_) watch_library();
            request_scan(std::nullopt);
        } else {
            config_ = std::move(fresh);
        }
        settle_.set_settle_time(config_.daemon.settle);
        spdlog::info("configuration reloaded from {}", config_.source.empty() ? "built-in defaults" : config_.source.string());
        schedule_playlists();
    } catch (const std::exception& e) {
        spdlog::error("configuration not reloaded: {}", e.what());
    }
    systemd::notify_ready();
}

void Daemon::shutdown() {
    if (stopping_) return;
    stopping_ = true;
    systemd::notify_stopping();
    control_.reset();
    watcher_.reset();
    stop_pipeline();
    writer_.reset();  // final commit
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    for (auto* timer : {&settle_timer_, &playlist_timer_, &rescan_timer_, &offline_timer_, &housekeeping_timer_}) {
        timer->cancel();
    }
    io_.stop();
    spdlog::info("stopped");
}

}  // namespace vibed::daemon
