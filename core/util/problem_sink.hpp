#pragma once
// How a part of vibed reports what is wrong right now (database locked, disk
// full, a playlist folder that cannot be written, MPD gone...) without
// knowing who shows it: the daemon's ProblemBoard lists it in `vibectl
// status`, a test records it. One line per area; it stands until the area
// reports success. Implementations are thread-safe.

#include <string>

namespace vibed::util {

class ProblemSink {
public:
    // Lists (or updates) the area's problem: one line naming the file and the reason.
    virtual void report(const std::string& area, const std::string& message) = 0;
    // The area works again.
    virtual void clear(const std::string& area) = 0;

protected:
    ~ProblemSink() = default;
};

}  // namespace vibed::util
