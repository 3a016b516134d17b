#include "daemon/service/playlist_publisher.hpp"

#include "core/util/counted.hpp"
#include "core/util/free_memory.hpp"

#include <spdlog/spdlog.h>

#include "daemon/map/map_page.hpp"

namespace vibed::daemon {
namespace {

// A publish that failed (the index could not be read, or a playlist file
// could not be written: a read-only, full or unwritable folder) is tried
// again after this long, even without a new request.
constexpr auto kRetryAfterFailure = std::chrono::seconds(10);

std::string summarise(const std::vector<std::string>& problems) {
    std::string line = problems.front();
    if (problems.size() > 1) line += " (and " + std::to_string(problems.size() - 1) + " more in the log)";
    return line;
}

}  // namespace

void PlaylistPublisher::Request::merge(Request&& newer) {
    config = std::move(newer.config);
    model_id = newer.model_id;
    flush_first = flush_first || newer.flush_first;
    for (auto& callback : newer.done) done.push_back(std::move(callback));
}

PlaylistPublisher::PlaylistPublisher(ProblemBoard& problems, std::function<void()> flush)
    : problems_(problems),
      flush_(std::move(flush)),
      worker_([this](Request& request, std::stop_token) { return serve(request); },
              util::Backoff{kRetryAfterFailure, kRetryAfterFailure}) {}

PlaylistPublisher::~PlaylistPublisher() = default;

void PlaylistPublisher::request(std::shared_ptr<const config::Config> config, std::int64_t model_id, bool flush_first,
                                Done done) {
    Request request{std::move(config), model_id, flush_first, {}};
    if (done) request.done.push_back(std::move(done));
    worker_.post(std::move(request));
}

PlaylistPublisher::Summary PlaylistPublisher::summary() const {
    std::lock_guard lock(mutex_);
    return summary_;
}

// On the publisher's thread. A failed publish is served again by the worker
// after kRetryAfterFailure (without flushing or calling back a second time).
bool PlaylistPublisher::serve(Request& request) {
    if (!request.config) return true;
    if (request.flush_first && flush_) flush_();
    request.flush_first = false;
    const bool ok = publish(*request.config, request.model_id);
    util::release_free_memory();  // the rows of every playlist, freed
    for (const auto& done : std::exchange(request.done, {})) {
        try {
            done(ok);
        } catch (const std::exception& e) {
            spdlog::error("playlists: {}", e.what());
        }
    }
    return ok;
}

bool PlaylistPublisher::publish(const config::Config& config, std::int64_t model_id) {
    if (config.outputs.empty() && config.playlists.map_file.empty()) return true;
    try {
        if (!index_) index_.emplace(db::Index::open_readonly(config.database.path));
        const auto report = publish_playlists(*index_, model_id, config, draws_file_for(config.database.path));
        // Retried every 10 s while a folder stays unwritable: the same lines once, not every time.
        if (report.problems != logged_problems_) {
            for (const auto& problem : report.problems) spdlog::warn("{}", problem);
            if (report.failed > 0) {
                spdlog::warn("playlists: {} could not be written; retrying every {}s", util::counted(report.failed, "file"),
                             std::chrono::duration_cast<std::chrono::seconds>(kRetryAfterFailure).count());
            }
            logged_problems_ = report.problems;
        }
        for (const auto& removed : report.removed) {
            spdlog::info("removed {}: its playlist is no longer configured", removed.string());
        }
        for (const auto& removed : report.removed_temporaries) {
            spdlog::info("removed {}: a temporary file left by an interrupted playlist write", removed.string());
        }
        if (report.written > 0) {
            spdlog::info("playlists: {} written, {} unchanged", util::counted(report.written, "file"), report.unchanged);
        }
        if (report.problems.empty()) {
            problems_.clear(kProblemArea);
        } else {
            problems_.report(kProblemArea, summarise(report.problems));
        }
        publish_map(config, model_id);
        std::lock_guard lock(mutex_);
        summary_ = {std::chrono::system_clock::now(), report.written, report.unchanged, report.failed};
        return report.failed == 0;
    } catch (const std::exception& e) {
        index_.reset();  // reopened next time: the file may have been replaced
        problems_.report(kProblemArea, std::string("cannot write the playlists: ") + e.what() + "; retrying");
        return false;
    }
}

// The map beside the playlists, when configured. Its trouble is its own
// problem line and does not fail the playlists: the next publish tries again.
void PlaylistPublisher::publish_map(const config::Config& config, std::int64_t model_id) {
    const auto& file = config.playlists.map_file;
    if (file.empty()) {
        problems_.clear(kMapProblemArea);
        return;
    }
    try {
        const auto report = write_map_file(*index_, model_id, config, draws_file_for(config.database.path), file);
        for (const auto& problem : report.problems) spdlog::warn("{}", problem);
        if (report.changed) spdlog::info("map: wrote {} ({} tracks)", file.string(), report.tracks);
        problems_.clear(kMapProblemArea);
    } catch (const std::exception& e) {
        problems_.report(kMapProblemArea, std::string("cannot write the map: ") + e.what());
    }
}

}  // namespace vibed::daemon
