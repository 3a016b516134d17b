// The daemon's answers to control-socket requests (see daemon/control/protocol.hpp).

#include <unistd.h>

#include "daemon/service/daemon.hpp"
#include "daemon/service/status_report.hpp"

namespace vibed::daemon {

nlohmann::json Daemon::status_json() {
    const auto stats = writer_->with_index([&](db::Index& index) { return index.stats(model_id_); });
    const auto counters = pool_ ? pool_->counters() : PoolCounters{};
    DaemonActivity activity;
    activity.pid = static_cast<std::int64_t>(::getpid());
    activity.queued = queue_.size() + settle_.size();
    activity.in_flight = counters.in_flight;
    activity.analysed = counters.analysed;
    activity.failed = counters.failed;
    activity.seconds_running = counters.seconds_running;
    activity.scanning = scanning_;
    activity.watched_folders = watcher_ ? watcher_->watch_count() : 0;
    activity.watch_limit_reached = watcher_ && watcher_->limit_reached();
    activity.offline_folders = offline_roots_;
    return status_report(config_, model_selection_.name, analyzer_->model().sha256(), stats, &activity);
}

Reply Daemon::dispatch(const Request& request) {
    if (request.command == "status") return {true, status_json(), {}};
    if (request.command == "scan") {
        const std::string path = request.args.value("path", std::string());
        if (!path.empty() && !std::filesystem::path(path).is_absolute()) {
            return {false, {}, "scan needs an absolute path, got '" + path + "'"};
        }
        request_scan(path.empty() ? std::nullopt : std::optional<std::filesystem::path>(path));
        return {true, {{"scan", path.empty() ? "library" : path}}, {}};
    }
    if (request.command == "reload") {
        reload_config();
        return {true, {{"config", config_.source.empty() ? "built-in defaults" : config_.source.string()}}, {}};
    }
    if (request.command == "publish-playlists") {
        writer_->flush();
        publish_playlists_now();
        return {true, nlohmann::json::object(), {}};
    }
    return {false, {}, "unknown command '" + request.command + "'"};
}

}  // namespace vibed::daemon
