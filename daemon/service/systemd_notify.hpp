#pragma once
// The systemd service-manager protocol (Type=notify). Every call is a no-op
// when vibed does not run under systemd.

#include <chrono>
#include <optional>
#include <string>

namespace vibed::daemon::systemd {

void notify_ready();
void notify_stopping();
void notify_reloading();
void notify_status(const std::string& status);
void notify_watchdog();
// How often to ping the watchdog (half its timeout), if systemd asked for it.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace vibed::daemon::systemd
