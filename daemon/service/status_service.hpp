#pragma once
// `vibectl status` answered off the event loop: the loop gathers its live
// counters (cheap, and only it may read them) into a snapshot; this
// service's thread reads the index's counts over its own read-only
// connection (a WAL reader, never blocked by the writer; about 0.2 s at
// 100,000 tracks) and answers. Requests made meanwhile share one answer.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "daemon/app/status_report.hpp"
#include "daemon/service/coalescing_worker.hpp"
#include "daemon/service/problem_board.hpp"
#include "db/index.hpp"

namespace vibed::daemon {

class StatusService {
public:
    // Called on the service's thread.
    using Answer = std::function<void(nlohmann::json status)>;

    // What the loop knows when it is asked.
    struct Snapshot {
        std::shared_ptr<const config::Config> config;
        std::string model_name;
        std::string model_sha256;
        std::int64_t model_id = 0;
        std::int64_t similarity_model_id = 0;
        DaemonActivity activity;
    };

    explicit StatusService(ProblemBoard& problems);
    // Waits for a status being computed, then closes the connection.
    ~StatusService();
    StatusService(const StatusService&) = delete;
    StatusService& operator=(const StatusService&) = delete;

    void request(Snapshot snapshot, Answer answer);

    static constexpr const char* kProblemArea = "index reader";

private:
    struct Request {
        Snapshot snapshot;
        std::vector<Answer> answers;
        void merge(Request&& newer);
    };
    bool serve(Request& request);
    std::optional<db::IndexStats> read_stats(const Snapshot& snapshot);

    ProblemBoard& problems_;
    std::optional<db::Index> reader_;  // the service's thread only; reopened after an error
    CoalescingWorker<Request> worker_;  // last: its thread uses the members above
};

}  // namespace vibed::daemon
