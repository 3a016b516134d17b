#pragma once
// The Unix socket address of a path, shared by both ends of the control socket.

#include <boost/asio/local/stream_protocol.hpp>

#include <filesystem>

namespace vibed::daemon {

// Throws std::runtime_error naming the path when it cannot be a socket
// address (longer than sun_path's 108 bytes: a deep $XDG_RUNTIME_DIR).
boost::asio::local::stream_protocol::endpoint socket_endpoint(const std::filesystem::path& socket_path);

}  // namespace vibed::daemon
