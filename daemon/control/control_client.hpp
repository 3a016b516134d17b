#pragma once
// vibectl's end of the control socket.

#include <filesystem>
#include <optional>

#include "daemon/control/protocol.hpp"

namespace vibed::daemon {

// Sends one request and waits for its reply. Returns nullopt when no daemon
// listens at socket_path (so the caller can fall back to the database);
// throws ProtocolError or std::runtime_error for a daemon that misbehaves or
// a path that cannot be a socket address.
// Whether a daemon accepts connections at socket_path. Never throws.
bool daemon_listens(const std::filesystem::path& socket_path);

std::optional<Reply> call_daemon(const std::filesystem::path& socket_path, const Request& request);

}  // namespace vibed::daemon
