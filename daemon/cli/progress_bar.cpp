#include "daemon/cli/progress_bar.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace vibed::daemon {
namespace {
constexpr int kBarWidth = 30;
}

ProgressBar::ProgressBar(std::size_t total, bool enabled)
    : total_(total), enabled_(enabled && total > 1 && isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() { clear(); }

void ProgressBar::advance() {
    std::lock_guard lock(mutex_);
    ++done_;
    draw_locked();
}

void ProgressBar::clear() {
    std::lock_guard lock(mutex_);
    if (!drawn_) return;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
}

void ProgressBar::draw_locked() {
    if (!enabled_) return;
    const double fraction = total_ == 0 ? 1.0 : static_cast<double>(done_) / static_cast<double>(total_);
    const int filled = static_cast<int>(fraction * kBarWidth);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
    std::fprintf(stderr, "\r[%s%s] %zu/%zu files  %.1f files/s  ETA %.0fs\033[K",
                 std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(kBarWidth - filled), '.').c_str(), done_, total_, rate, eta);
    std::fflush(stderr);
    drawn_ = true;
}

}  // namespace vibed::daemon
