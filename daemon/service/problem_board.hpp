#pragma once
// What is wrong with the daemon right now (database locked, disk full, a
// playlist folder that cannot be written...), one line per area, for `vibectl
// status`. A problem stays listed until the area reports success again. Each
// change is logged once, so a failure retried every few seconds does not
// flood the log. Thread-safe: every thread reports its own areas.

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/util/problem_sink.hpp"

namespace vibed::daemon {

class ProblemBoard final : public util::ProblemSink {
public:
    struct Problem {
        std::string area;     // "database", "playlists", "control socket", ...
        std::string message;  // one line naming the file and the reason
        std::chrono::system_clock::time_point since;
    };

    // Lists (or updates) the area's problem; logs it when it is new or changed.
    void report(const std::string& area, const std::string& message) override;
    // The area works again: logs that once if it had a problem.
    void clear(const std::string& area) override;

    [[nodiscard]] std::vector<Problem> current() const;
    [[nodiscard]] bool has(const std::string& area) const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, Problem> problems_;
};

}  // namespace vibed::daemon
