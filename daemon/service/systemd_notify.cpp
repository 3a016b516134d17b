#include "daemon/service/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

namespace vibed::daemon::systemd {

void notify_ready() { sd_notify(0, "READY=1"); }
void notify_stopping() { sd_notify(0, "STOPPING=1"); }
void notify_reloading() { sd_notify(0, "RELOADING=1"); }
void notify_status(const std::string& status) { sd_notify(0, ("STATUS=" + status).c_str()); }
void notify_watchdog() { sd_notify(0, "WATCHDOG=1"); }

std::optional<std::chrono::microseconds> watchdog_interval() {
    std::uint64_t timeout_us = 0;
    if (sd_watchdog_enabled(0, &timeout_us) <= 0 || timeout_us == 0) return std::nullopt;
    return std::chrono::microseconds(timeout_us / 2);
}

}  // namespace vibed::daemon::systemd
