#pragma once
// A one-line progress bar on stderr, redrawn in place; silent when stderr is
// not a terminal so logs and pipes stay clean.

#include <chrono>
#include <cstddef>
#include <mutex>

namespace vibed::daemon {

class ProgressBar {
public:
    ProgressBar(std::size_t total, bool enabled);
    ~ProgressBar();
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    // Thread-safe.
    void advance();
    // Clears the bar so that a message can be printed on a clean line; the
    // next advance() draws it again.
    void clear();

private:
    void draw_locked();

    std::mutex mutex_;
    std::size_t total_;
    std::size_t done_ = 0;
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace vibed::daemon
