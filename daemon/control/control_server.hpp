#pragma once
// The daemon's end of the control socket: a Unix stream socket, mode 0600,
// that only accepts peers running as the daemon's own user.

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <filesystem>
#include <functional>

#include "daemon/control/protocol.hpp"

namespace vibed::daemon {

class ControlServer {
public:
    // Runs on the io_context's thread; must not throw (errors become replies).
    using Dispatcher = std::function<Reply(const Request&)>;

    // Binds the socket (replacing a stale one left by a crash). Throws
    // std::runtime_error naming the path when it cannot.
    ControlServer(boost::asio::io_context& io, std::filesystem::path socket_path, Dispatcher dispatcher);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    [[nodiscard]] const std::filesystem::path& socket_path() const { return socket_path_; }

private:
    void accept_next();

    std::filesystem::path socket_path_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    Dispatcher dispatcher_;
};

}  // namespace vibed::daemon
