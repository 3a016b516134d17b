#include "daemon/service/problem_board.hpp"

#include <spdlog/spdlog.h>

namespace vibed::daemon {

void ProblemBoard::report(const std::string& area, const std::string& message) {
    std::lock_guard lock(mutex_);
    const auto it = problems_.find(area);
    if (it != problems_.end() && it->second.message == message) return;
    spdlog::error("{}: {}", area, message);
    if (it == problems_.end()) {
        problems_.emplace(area, Problem{area, message, std::chrono::system_clock::now()});
    } else {
        it->second.message = message;
    }
}

void ProblemBoard::clear(const std::string& area) {
    std::lock_guard lock(mutex_);
    if (problems_.erase(area) > 0) spdlog::info("{}: working again", area);
}

std::vector<ProblemBoard::Problem> ProblemBoard::current() const {
    std::lock_guard lock(mutex_);
    std::vector<Problem> list;
    for (const auto& [area, problem] : problems_) list.push_back(problem);
    return list;
}

bool ProblemBoard::has(const std::string& area) const {
    std::lock_guard lock(mutex_);
    return problems_.contains(area);
}

}  // namespace vibed::daemon
