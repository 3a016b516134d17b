#pragma once
// The event loop's error boundary: every handler the loop runs is wrapped in
// guarded(), so whatever it throws becomes a log line and the loop carries
// on instead of ending the daemon. The wrapper is noexcept by type.

#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

namespace vibed::daemon {

template <typename Handler>
auto guarded(const char* what, Handler handler) {
    return [what, handler = std::move(handler)](auto&&... args) mutable noexcept {
        try {
            handler(std::forward<decltype(args)>(args)...);
        } catch (const std::exception& e) {
            spdlog::error("{}: {}", what, e.what());
        } catch (...) {
            spdlog::error("{}: unknown error", what);
        }
    };
}

}  // namespace vibed::daemon
