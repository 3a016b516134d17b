#include "daemon/service/status_report.hpp"

#include <cstdio>

namespace vibed::daemon {

nlohmann::json status_report(const config::Config& config, const std::string& model_name,
                             const std::string& model_sha256, const db::IndexStats& stats,
                             const DaemonActivity* activity) {
    nlohmann::json library = nlohmann::json::array();
    for (const auto& path : config.library.paths) library.push_back(path.string());
    nlohmann::json status{
        {"running", activity != nullptr},
        {"library", library},
        {"database", config.database.path.string()},
        {"model", {{"name", model_name}, {"sha256", model_sha256}}},
        {"tracks",
         {{"total", stats.total}, {"analysed", stats.analyzed}, {"ok", stats.ok}, {"failed", stats.error},
          {"pending", stats.pending}}},
    };
    if (activity == nullptr) return status;
    const double rate = activity->seconds_running > 0 ? static_cast<double>(activity->analysed + activity->failed) /
                                                            activity->seconds_running
                                                      : 0.0;
    const auto remaining = static_cast<double>(stats.pending);
    nlohmann::json offline = nlohmann::json::array();
    for (const auto& path : activity->offline_folders) offline.push_back(path.string());
    status["daemon"] = {
        {"pid", activity->pid},
        {"queued", activity->queued},
        {"in_flight", activity->in_flight},
        {"analysed_this_run", activity->analysed},
        {"failed_this_run", activity->failed},
        {"tracks_per_second", rate},
        {"eta_seconds", rate > 0 ? nlohmann::json(remaining / rate) : nlohmann::json(nullptr)},
        {"scanning", activity->scanning},
        {"watched_folders", activity->watched_folders},
        {"watch_limit_reached", activity->watch_limit_reached},
        {"offline_folders", offline},
    };
    return status;
}

std::string format_status(const nlohmann::json& status) {
    std::string out;
    const auto line = [&](const std::string& label, const std::string& value) { out += label + value + "\n"; };
    const auto& tracks = status.at("tracks");
    line("daemon:    ", status.value("running", false)
                            ? "running (pid " + std::to_string(status.at("daemon").value("pid", 0)) + ")"
                            : "not running (figures from the database)");
    std::string folders;
    for (const auto& path : status.at("library")) folders += (folders.empty() ? "" : ", ") + path.get<std::string>();
    line("library:   ", folders);
    line("database:  ", status.value("database", ""));
    line("model:     ", status.at("model").value("name", "") + " (" + status.at("model").value("sha256", "").substr(0, 12) + ")");
    line("tracks:    ", std::to_string(tracks.value("analysed", 0)) + " analysed, " +
                            std::to_string(tracks.value("failed", 0)) + " failed, " +
                            std::to_string(tracks.value("pending", 0)) + " pending, " +
                            std::to_string(tracks.value("total", 0)) + " in total");
    if (status.contains("daemon")) {
        const auto& daemon = status.at("daemon");
        char rate[64];
        std::snprintf(rate, sizeof rate, "%.2f tracks/s", daemon.value("tracks_per_second", 0.0));
        std::string progress = std::to_string(daemon.value("queued", 0)) + " queued, " +
                               std::to_string(daemon.value("in_flight", 0)) + " in progress, " + rate;
        if (daemon.contains("eta_seconds") && daemon.at("eta_seconds").is_number()) {
            progress += ", ETA " + std::to_string(static_cast<long>(daemon.at("eta_seconds").get<double>())) + "s";
        }
        line("work:      ", progress + (daemon.value("scanning", false) ? " (scanning)" : ""));
        line("watching:  ", std::to_string(daemon.value("watched_folders", 0)) + " folders" +
                                (daemon.value("watch_limit_reached", false) ? " (inotify limit reached: periodic rescans)" : ""));
        for (const auto& folder : daemon.at("offline_folders")) line("offline:   ", folder.get<std::string>());
    }
    return out;
}

}  // namespace vibed::daemon
