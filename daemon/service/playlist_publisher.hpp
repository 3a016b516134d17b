#pragma once
// Writes the playlists on a thread of its own (a CoalescingWorker), with its
// own read-only connection to the index, so that the event loop never waits
// for the database or the playlist folders. Requests made while a publish
// runs are merged into one more publish with the newest configuration; a
// failed publish is tried again every 10 s until it works.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "daemon/app/playlist_builder.hpp"
#include "daemon/service/coalescing_worker.hpp"
#include "daemon/service/problem_board.hpp"

namespace vibed::daemon {

class PlaylistPublisher {
public:
    // Called on the publisher's thread once the playlists were written (or
    // could not be): `ok` is false when the publish failed as a whole or a
    // file could not be written. Either way it is retried every 10 s until
    // it succeeds.
    using Done = std::function<void(bool ok)>;

    // `flush` is called on the publisher's thread before a publish asked for
    // with flush_first (it waits for the index writer).
    PlaylistPublisher(ProblemBoard& problems, std::function<void()> flush);
    // Finishes the publish in progress, if any.
    ~PlaylistPublisher();
    PlaylistPublisher(const PlaylistPublisher&) = delete;
    PlaylistPublisher& operator=(const PlaylistPublisher&) = delete;

    // Never blocks on the database or the file system.
    void request(std::shared_ptr<const config::Config> config, std::int64_t model_id, bool flush_first = false,
                 Done done = {});

    struct Summary {
        std::optional<std::chrono::system_clock::time_point> last_publish;  // the last one that ran
        std::size_t files_written = 0;  // by that publish
        std::size_t files_unchanged = 0;
        std::size_t files_failed = 0;  // could not be written
    };
    [[nodiscard]] Summary summary() const;

    static constexpr const char* kProblemArea = "playlists";
    static constexpr const char* kMapProblemArea = "map";

private:
    struct Request {
        std::shared_ptr<const config::Config> config;
        std::int64_t model_id = 0;
        bool flush_first = false;
        std::vector<Done> done;
        void merge(Request&& newer);
    };
    bool serve(Request& request);
    bool publish(const config::Config& config, std::int64_t model_id);
    void publish_map(const config::Config& config, std::int64_t model_id);

    ProblemBoard& problems_;
    std::function<void()> flush_;

    mutable std::mutex mutex_;  // guards summary_
    Summary summary_;

    std::optional<db::Index> index_;  // publisher thread only
    std::vector<std::string> logged_problems_;  // publisher thread only: the last publish's, as logged
    CoalescingWorker<Request> worker_;  // last: its thread uses the members above
};

}  // namespace vibed::daemon
