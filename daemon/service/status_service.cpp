#include "daemon/service/status_service.hpp"

#include <spdlog/spdlog.h>

namespace vibed::daemon {

void StatusService::Request::merge(Request&& newer) {
    snapshot = std::move(newer.snapshot);
    for (auto& answer : newer.answers) answers.push_back(std::move(answer));
}

StatusService::StatusService(ProblemBoard& problems)
    : problems_(problems), worker_([this](Request& request, std::stop_token) { return serve(request); }) {}

StatusService::~StatusService() { worker_.stop(); }

void StatusService::request(Snapshot snapshot, Answer answer) {
    Request request{std::move(snapshot), {}};
    request.answers.push_back(std::move(answer));
    worker_.post(std::move(request));
}

std::optional<db::IndexStats> StatusService::read_stats(const Snapshot& snapshot) {
    try {
        if (!reader_) reader_.emplace(db::Index::open_readonly(snapshot.config->database.path));
        auto stats = reader_->stats(snapshot.model_id, snapshot.similarity_model_id);
        problems_.clear(kProblemArea);
        return stats;
    } catch (const std::exception& e) {
        reader_.reset();  // reopened next time: the file may have been replaced
        problems_.report(kProblemArea, std::string("cannot read the index: ") + e.what());
        return std::nullopt;
    }
}

bool StatusService::serve(Request& request) {
    Snapshot& snapshot = request.snapshot;
    const auto stats = read_stats(snapshot);
    if (!stats) {
        // Taken before this failure: the answer says it too.
        for (const auto& problem : problems_.current()) {
            if (problem.area == kProblemArea) snapshot.activity.problems.push_back({problem.area, problem.message, problem.since});
        }
    }
    const nlohmann::json status = status_report(*snapshot.config, snapshot.model_name, snapshot.model_sha256,
                                                stats.value_or(db::IndexStats{}), &snapshot.activity, stats.has_value());
    for (const auto& answer : request.answers) {
        try {
            answer(status);
        } catch (const std::exception& e) {
            spdlog::error("status: {}", e.what());
        }
    }
    return true;
}

}  // namespace vibed::daemon
