#pragma once
// vibectl's end of the control socket.

#include <chrono>
#include <filesystem>
#include <optional>

#include "daemon/control/protocol.hpp"

namespace vibed::daemon {

// Whether a daemon accepts connections at socket_path. Never throws.
bool daemon_listens(const std::filesystem::path& socket_path);

// A daemon that accepted the connection but never answers must not hang
// vibectl (or a script calling it) forever.
inline constexpr std::chrono::seconds kReplyTimeout{30};

// Sends one request and waits up to `timeout` for its reply. Returns nullopt
// when no daemon listens at socket_path (so the caller can fall back to the
// database); throws ProtocolError or std::runtime_error for a daemon that
// misbehaves or does not answer in time, or a path that cannot be a socket
// address.
std::optional<Reply> call_daemon(const std::filesystem::path& socket_path, const Request& request,
                                 std::chrono::seconds timeout = kReplyTimeout);

}  // namespace vibed::daemon
