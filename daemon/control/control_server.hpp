#pragma once
// The daemon's end of the control socket: a Unix stream socket, mode 0600,
// that only accepts peers running as the daemon's own user.
//
// Bounded, since any process of the user can connect: at most
// Limits::max_connections at once (at the cap the longest-idle connection
// makes room; if none is idle the newcomer is refused), connections idle for
// Limits::idle_timeout are closed, lines are capped (kMaxLineBytes) and JSON
// nesting is limited (protocol.hpp). Every refusal is answered with a reply
// saying why before the connection closes, and what the client still sends
// is read for a moment, so that it reads the reason rather than EPIPE or a
// reset (1,000 clients at once all hear either an answer or the limit).

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>

#include "daemon/control/protocol.hpp"
#include "core/util/problem_sink.hpp"

namespace vibed::daemon {

struct ControlLimits {
    std::size_t max_connections = 64;
    std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
};

class ControlServer {
public:
    using Limits = ControlLimits;
    // Sends the reply to a request. May be called from any thread, once.
    using Responder = std::function<void(Reply)>;
    // Runs on the io_context's thread; must not throw (errors become replies).
    // Answers through `respond`, now or later.
    using Dispatcher = std::function<void(const Request&, Responder respond)>;

    // Binds the socket (replacing a stale one left by a crash). Throws
    // std::runtime_error naming the path when it cannot.
    ControlServer(boost::asio::io_context& io, std::filesystem::path socket_path, Dispatcher dispatcher,
                  util::ProblemSink& problems, Limits limits = {});
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    [[nodiscard]] const std::filesystem::path& socket_path() const { return socket_path_; }
    [[nodiscard]] std::size_t connection_count() const;

    struct Sessions;  // the live connections, shared with them

private:
    void accept_next();
    void admit(boost::asio::local::stream_protocol::socket socket);

    std::filesystem::path socket_path_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::steady_timer accept_retry_;
    Dispatcher dispatcher_;
    util::ProblemSink& problems_;
    Limits limits_;
    std::shared_ptr<Sessions> sessions_;
    std::size_t max_draining_;  // refused or evicted connections kept open at once
};

}  // namespace vibed::daemon
