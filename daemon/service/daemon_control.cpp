// The daemon's answers to control-socket requests (see daemon/control/protocol.hpp).

#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/service/daemon.hpp"
#include "core/util/path_tree.hpp"
#include "daemon/app/status_report.hpp"

namespace vibed::daemon {
namespace {

// Why a scan of `path` is refused, or nullopt: only folders and files of the
// library are ever indexed.
std::optional<std::string> scan_refusal(const std::filesystem::path& path, const std::vector<std::filesystem::path>& roots) {
    const bool in_library = std::any_of(roots.begin(), roots.end(),
                                        [&](const std::filesystem::path& root) { return util::is_at_or_under(path, root); });
    if (!in_library) {
        std::string listed;
        for (const auto& root : roots) listed += (listed.empty() ? "" : ", ") + root.string();
        return "'" + path.string() + "' is outside the library (library.paths: " + listed + ")";
    }
    std::error_code error;
    if (!std::filesystem::exists(path, error)) return "'" + path.string() + "' does not exist";
    return std::nullopt;
}

}  // namespace

// The loop's part of `status`: its live counters. The index's counts are
// read by the status service, off the loop.
DaemonActivity Daemon::activity() const {
    const auto counters = pool_ ? pool_->counters() : PoolCounters{};
    DaemonActivity activity;
    activity.pid = static_cast<std::int64_t>(::getpid());
    activity.queued = queue_.size() + settle_.size();
    activity.settling = settle_.size();
    activity.in_flight = counters.in_flight;
    activity.to_store = writer_->backlog();
    activity.analysed = counters.analysed;
    activity.failed = counters.failed;
    activity.deferred = counters.deferred;
    activity.seconds_running = counters.seconds_running;
    activity.scanning = scans_->scanning();
    activity.model_loaded = analyzer_->model().loaded();
    if (presence_) {
        activity.watched_folders = presence_->watched_folders();
        activity.watch_limit_reached = presence_->watch_limit_reached();
        activity.offline_folders = presence_->offline_folders();
    }
    for (const auto& problem : problems_.current()) activity.problems.push_back({problem.area, problem.message, problem.since});
    const auto published = publisher_->summary();
    activity.playlists_written_at = published.last_publish;
    activity.playlist_files_written = published.files_written;
    activity.playlist_files_unchanged = published.files_unchanged;
    if (queue_keeper_ && config_.mpd_client.keep_playing) {
        const auto keeper = queue_keeper_->summary();
        activity.keep_playing = DaemonActivity::KeepPlaying{keeper.mpd, keeper.appended};
    }
    return activity;
}

void Daemon::dispatch(const Request& request, ControlServer::Responder respond) {
    try {
        if (request.command == "status") {
            StatusService::Snapshot snapshot{shared_config_, model_selection_.name, analyzer_->model().sha256(),
                                             model_id_, similarity_model_id_, activity()};
            return status_->request(std::move(snapshot), [respond](nlohmann::json status) {
                respond({true, std::move(status), {}});
            });
        }
        if (request.command == "scan") {
            const auto given = request.args.find("path");
            if (given != request.args.end() && !given->is_string()) {
                return respond({false, {}, "scan: \"path\" must be a string (an absolute path), got " + given->dump()});
            }
            const std::string text = given == request.args.end() ? std::string() : given->get<std::string>();
            if (!text.empty() && !std::filesystem::path(text).is_absolute()) {
                return respond({false, {}, "scan needs an absolute path, got '" + text + "'"});
            }
            // Normalised before the library check, as vibectl does: LIBRARY/../outside is outside.
            const std::string path = std::filesystem::path(text).lexically_normal().string();
            if (!path.empty()) {
                if (auto refusal = scan_refusal(path, config_.library.paths)) return respond({false, {}, *refusal});
            }
            request_scan(path.empty() ? std::nullopt : std::optional<std::filesystem::path>(path));
            return respond({true, {{"scan", path.empty() ? "library" : path}}, {}});
        }
        if (request.command == "reload") {
            // Answered once the reload was applied or refused; the loop
            // serves other clients while the new model loads.
            return reload_config([this, respond](const std::optional<std::string>& failure) {
                if (failure) return respond({false, {}, "configuration not reloaded (the running one stays): " + *failure});
                respond({true, {{"config", config_.source.empty() ? "built-in defaults" : config_.source.string()}}, {}});
            });
        }
        if (request.command == "publish-playlists") {
            // Off the loop: the publisher waits for the writer, then writes.
            publisher_->request(shared_config_, model_id_, /*flush_first=*/true, [respond, this](bool ok) {
                if (ok) return respond({true, nlohmann::json::object(), {}});
                const auto problems = problems_.current();
                std::string why = "the playlists could not be written";
                for (const auto& problem : problems) {
                    if (problem.area == PlaylistPublisher::kProblemArea) why = problem.message;
                }
                respond({false, {}, why});
            });
            return;
        }
        respond({false, {}, "unknown command '" + request.command + "'"});
    } catch (const std::exception& e) {
        respond({false, {}, request.command + ": " + e.what()});
    }
}

}  // namespace vibed::daemon
