#pragma once
// The one retry policy for resource trouble (a locked or full database, an
// MPD that went away, a file that could not be read for now): wait `first`,
// then twice as long after each further failure, never longer than `most`;
// a success starts over.

#include <algorithm>
#include <chrono>

namespace vibed::util {

class Backoff {
public:
    using Duration = std::chrono::milliseconds;

    constexpr Backoff(Duration first, Duration most) : first_(first), most_(most), next_(first) {}

    // How long to wait before the next attempt.
    [[nodiscard]] constexpr Duration delay() const { return next_; }
    // The attempt failed: the one after waits longer. Returns the wait before it.
    constexpr Duration failed() {
        const Duration wait = next_;
        next_ = std::min(next_ * 2, most_);
        return wait;
    }
    // The attempt worked: the next failure waits `first` again.
    constexpr void succeeded() { next_ = first_; }

    // The wait before attempt `failures + 1` after `failures` failures in a row.
    [[nodiscard]] constexpr Duration after(int failures) const {
        Duration wait = first_;
        for (int i = 1; i < failures && wait < most_; ++i) wait = std::min(wait * 2, most_);
        return wait;
    }

private:
    Duration first_;
    Duration most_;
    Duration next_;
};

}  // namespace vibed::util
