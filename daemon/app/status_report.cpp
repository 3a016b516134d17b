#include "daemon/app/status_report.hpp"

#include <cstdio>
#include <ctime>
#include <functional>

#include "playlist/query/text.hpp"

namespace vibed::daemon {
namespace {

std::int64_t unix_seconds(std::chrono::system_clock::time_point time) {
    return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

std::string local_time_text(std::int64_t unix_time) {
    const std::time_t time = unix_time;
    std::tm local{};
    localtime_r(&time, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
    return text;
}

std::string joined(const nlohmann::json& strings) {
    std::string text;
    for (const auto& item : strings) text += (text.empty() ? "" : ", ") + item.get<std::string>();
    return text;
}

std::string count_text(const nlohmann::json& object, const char* key) { return std::to_string(object.value(key, 0)); }

nlohmann::json strings(const auto& paths) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& path : paths) list.push_back(path.string());
    return list;
}

// The daemon's live figures: its progress, what it watches, what is wrong.
nlohmann::json daemon_status(const DaemonActivity& activity, const db::IndexStats& stats, std::chrono::seconds settle,
                             ThroughputMeter& meter) {
    // Work left: what the index still calls pending, but never less than
    // what the daemon is visibly busy with.
    const std::uint64_t busy = activity.queued + activity.in_flight;
    const bool working = busy > 0 || activity.scanning;
    const std::optional<double> rate =
        meter.observe(ThroughputMeter::Clock::now(), activity.analysed + activity.failed, working);
    const auto remaining = static_cast<double>(std::max<std::uint64_t>(static_cast<std::uint64_t>(stats.pending), busy));
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& problem : activity.problems) {
        problems.push_back({{"area", problem.area}, {"message", problem.message}, {"since", unix_seconds(problem.since)}});
    }
    nlohmann::json daemon{
        {"pid", activity.pid},
        {"model_loaded", activity.model_loaded},
        {"working", working},
        {"queued", activity.queued},
        {"settling", activity.settling},
        {"settle_seconds", settle.count()},
        {"in_flight", activity.in_flight},
        {"to_store", activity.to_store},
        {"analysed_this_run", activity.analysed},
        {"failed_this_run", activity.failed},
        {"deferred_this_run", activity.deferred},
        {"tracks_per_second", rate ? nlohmann::json(*rate) : nlohmann::json(nullptr)},
        {"eta_seconds", rate ? nlohmann::json(remaining / *rate) : nlohmann::json(nullptr)},
        {"scanning", activity.scanning},
        {"watched_folders", activity.watched_folders},
        {"watch_limit_reached", activity.watch_limit_reached},
        {"offline_folders", strings(activity.offline_folders)},
        {"problems", problems},
        {"playlists",
         {{"written_at", activity.playlists_written_at ? nlohmann::json(unix_seconds(*activity.playlists_written_at))
                                                       : nlohmann::json(nullptr)},
          {"files_written", activity.playlist_files_written},
          {"files_unchanged", activity.playlist_files_unchanged}}},
    };
    if (activity.keep_playing) {
        daemon["keep_playing"] = {{"mpd", activity.keep_playing->mpd}, {"appended", activity.keep_playing->appended}};
    }
    return daemon;
}

using Line = std::function<void(const std::string& label, const std::string& value)>;

void format_tracks(const nlohmann::json& status, const Line& line) {
    const auto& tracks = status.at("tracks");
    if (!tracks.value("known", true)) {
        line("tracks:    ", "unknown (the index cannot be read; see problems)");
        return;
    }
    std::string counts = count_text(tracks, "total") + " in total: " + count_text(tracks, "analysed") +
                         " analysed, " + count_text(tracks, "failed") + " failed" +
                         (tracks.value("failed", 0) > 0 ? " (vibectl errors lists them)" : "") + ", " +
                         count_text(tracks, "pending") + " waiting";
    line("tracks:    ", counts);
    if (tracks.value("analysed", 0) > tracks.value("with_features", 0)) {
        line("features:  ", count_text(tracks, "with_features") + " of the analysed tracks so far (the others are "
                            "analysed again in the background)");
    }
    line("moods:     ", count_text(tracks, "with_moods") + " tracks" +
                            (status.contains("mood_model") ? " (" + status.value("mood_model", "") + ")" : ""));
    const std::string similarity = status.value("similarity_model", "none");
    line("vectors:   ", similarity == "none" ? std::string("off (analysis.similarity_model = \"none\")")
                                             : count_text(tracks, "with_vectors") + " tracks (" + similarity + ")");
}

void format_work(const nlohmann::json& daemon, const Line& line) {
    if (daemon.value("working", false)) {
        std::string progress = count_text(daemon, "queued") + " queued, " + count_text(daemon, "in_flight") +
                               " being analysed, " + count_text(daemon, "to_store") + " to store; ";
        const nlohmann::json rate = daemon.value("tracks_per_second", nlohmann::json());
        const nlohmann::json eta = daemon.value("eta_seconds", nlohmann::json());
        if (rate.is_number() && eta.is_number()) {
            char measured[96];
            std::snprintf(measured, sizeof measured, "%.2f tracks/s, about %.0f s left", rate.get<double>(),
                          eta.get<double>());
            progress += measured;
        } else {
            progress += "speed not measured yet";  // a guess would count idle time
        }
        line("work:      ", progress + (daemon.value("scanning", false) ? " (scanning)" : ""));
        // Said, or a file copied in seems ignored for settle_seconds.
        if (const auto settling = daemon.value("settling", std::uint64_t{0}); settling > 0) {
            line("settling:  ", std::to_string(settling) + (settling == 1 ? " file waits" : " files wait") + " until " +
                                    std::to_string(daemon.value("settle_seconds", 0)) +
                                    " s pass without a change ([daemon] settle_seconds), then is analysed");
        }
    } else {
        line("work:      ", daemon.value("to_store", 0) > 0 ? "idle, " + count_text(daemon, "to_store") + " to store"
                                                              : "idle");
    }
    line("watching:  ", count_text(daemon, "watched_folders") + " folders" +
                            (daemon.value("watch_limit_reached", false) ? " (inotify limit reached: periodic rescans)" : ""));
    for (const auto& folder : daemon.at("offline_folders")) line("offline:   ", folder.get<std::string>());
}

void format_daemon_outputs(const nlohmann::json& daemon, const Line& line) {
    if (daemon.contains("playlists")) {
        const auto& playlists = daemon.at("playlists");
        if (playlists.at("written_at").is_number()) {
            line("written:   ", local_time_text(playlists.at("written_at").get<std::int64_t>()) + " (" +
                                    count_text(playlists, "files_written") + " files changed, " +
                                    count_text(playlists, "files_unchanged") + " unchanged)");
        } else {
            line("written:   ", "no playlists written by this run yet");
        }
    }
    if (daemon.contains("keep_playing")) {
        const auto& keeper = daemon.at("keep_playing");
        const std::string mpd = keeper.value("mpd", "");
        line("keeping:   ", (mpd.empty() ? "MPD's queue going once MPD is reachable" : mpd + "'s queue going") + " (" +
                               count_text(keeper, "appended") + " tracks appended)");
    }
    if (daemon.contains("problems")) {
        for (const auto& problem : daemon.at("problems")) {
            line("PROBLEM:   ", problem.value("area", "") + ": " + problem.value("message", "") + " (since " +
                                    local_time_text(problem.value("since", std::int64_t{0})) + ")");
        }
    }
}

}  // namespace

ThroughputMeter& daemon_throughput_meter() {
    static ThroughputMeter meter;
    return meter;
}

std::optional<double> ThroughputMeter::observe(Clock::time_point now, std::uint64_t completed, bool working) {
    std::lock_guard lock(mutex_);
    const bool continues = !samples_.empty() && completed >= samples_.back().completed &&
                           now - samples_.back().at <= kMaxGap;
    if (!working || !continues) samples_.clear();
    if (!working) return std::nullopt;
    samples_.push_back({now, completed});
    while (now - samples_.front().at > kWindow) samples_.pop_front();
    return rate_locked();
}

std::optional<double> ThroughputMeter::tracks_per_second() const {
    std::lock_guard lock(mutex_);
    return rate_locked();
}

std::optional<double> ThroughputMeter::rate_locked() const {
    if (samples_.size() < 2) return std::nullopt;
    const auto span = std::chrono::duration<double>(samples_.back().at - samples_.front().at);
    const std::uint64_t finished = samples_.back().completed - samples_.front().completed;
    if (span < kMinimumSpan || finished == 0) return std::nullopt;
    return static_cast<double>(finished) / span.count();
}

nlohmann::json status_report(const config::Config& config, const std::string& model_name,
                             const std::string& model_sha256, const db::IndexStats& stats,
                             const DaemonActivity* activity, bool stats_known, ThroughputMeter& meter) {
    nlohmann::json outputs = nlohmann::json::array();
    for (const auto& output : config.outputs) outputs.push_back(output.folder.string());
    nlohmann::json status{
        {"running", activity != nullptr},
        {"config", config.source.empty() ? "built-in defaults" : config.source.string()},
        {"library", strings(config.library.paths)},
        {"database", config.database.path.string()},
        {"playlist_folders", outputs},
        {"model", {{"name", model_name}, {"sha256", model_sha256}}},
        {"mood_model", config.analysis.mood_model},
        {"similarity_model", config.analysis.similarity_model},
        {"tracks",
         {{"total", stats.total}, {"analysed", stats.analyzed}, {"ok", stats.ok}, {"failed", stats.error},
          {"pending", stats.pending}, {"with_features", stats.with_features}, {"with_moods", stats.with_moods},
          {"with_vectors", stats.with_vectors},
          {"known", stats_known}}},
    };
    if (activity != nullptr) status["daemon"] = daemon_status(*activity, stats, config.daemon.settle, meter);
    return status;
}

std::string format_status(const nlohmann::json& status) {
    std::string out;
    // Problems quote file names: shown escaped, never as terminal commands.
    const Line line = [&](const std::string& label, const std::string& value) {
        out += label + playlist::printable_text(value) + "\n";
    };
    const bool running = status.value("running", false);
    line("daemon:    ", running ? "running (pid " + std::to_string(status.at("daemon").value("pid", 0)) + ")"
                                : "not running (figures from the database)");
    line("config:    ", status.value("config", ""));
    line("library:   ", joined(status.at("library")));
    line("database:  ", status.value("database", ""));
    if (status.contains("playlist_folders")) {
        const std::string folders = joined(status.at("playlist_folders"));
        line("playlists: ", folders.empty() ? "no output folder configured" : folders);
    }
    std::string model = status.at("model").value("name", "") + " (" + status.at("model").value("sha256", "").substr(0, 12) + ")";
    if (running) model += status.at("daemon").value("model_loaded", false) ? ", loaded" : ", not loaded: nothing analysed since start";
    line("model:     ", model);
    format_tracks(status, line);
    if (!status.contains("daemon")) return out;
    format_work(status.at("daemon"), line);
    format_daemon_outputs(status.at("daemon"), line);
    return out;
}

}  // namespace vibed::daemon
