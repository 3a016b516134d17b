#include "daemon/control/control_server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <memory>

#include "daemon/control/socket_endpoint.hpp"

namespace vibed::daemon {
namespace {

using boost::asio::local::stream_protocol;

bool peer_is_our_user(stream_protocol::socket& socket) {
    ucred credentials{};
    socklen_t length = sizeof credentials;
    if (getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return false;
    return credentials.uid == getuid();
}

// One client connection: reads request lines, answers each in order.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(stream_protocol::socket socket, const ControlServer::Dispatcher& dispatcher)
        : socket_(std::move(socket)), dispatcher_(dispatcher) {}

    void start() { read_more(); }

private:
    void read_more() {
        socket_.async_read_some(boost::asio::buffer(buffer_), [self = shared_from_this()](
                                                                  const boost::system::error_code& error, std::size_t n) {
            if (!error) self->handle_bytes(std::string_view(self->buffer_.data(), n));
        });
    }

    void handle_bytes(std::string_view bytes) {
        std::string replies;
        try {
            for (const auto& line : splitter_.feed(bytes)) replies += answer(line);
        } catch (const ProtocolError& e) {
            // Framing is lost: answer once and hang up.
            send(encode_reply({false, {}, e.what()}), /*then_close=*/true);
            return;
        }
        if (replies.empty()) {
            read_more();
        } else {
            send(std::move(replies), false);
        }
    }

    std::string answer(const std::string& line) {
        try {
            return encode_reply(dispatcher_(decode_request(line)));
        } catch (const std::exception& e) {
            return encode_reply({false, {}, e.what()});
        }
    }

    void send(std::string replies, bool then_close) {
        auto data = std::make_shared<std::string>(std::move(replies));
        boost::asio::async_write(socket_, boost::asio::buffer(*data),
                                 [self = shared_from_this(), data, then_close](const boost::system::error_code& error,
                                                                               std::size_t) {
                                     if (!error && !then_close) self->read_more();
                                 });
    }

    stream_protocol::socket socket_;
    ControlServer::Dispatcher dispatcher_;
    LineSplitter splitter_;
    std::array<char, 4096> buffer_{};
};

}  // namespace

ControlServer::ControlServer(boost::asio::io_context& io, std::filesystem::path socket_path, Dispatcher dispatcher)
    : socket_path_(std::move(socket_path)), acceptor_(io), dispatcher_(std::move(dispatcher)) {
    std::error_code fs_error;
    std::filesystem::create_directories(socket_path_.parent_path(), fs_error);
    // The database lock already guarantees we are the only daemon for this
    // index, so a socket file still here is a leftover from a crash.
    std::filesystem::remove(socket_path_, fs_error);
    const auto endpoint = socket_endpoint(socket_path_);  // may throw: not between the umask calls
    boost::system::error_code error;
    acceptor_.open(stream_protocol(), error);
    // umask makes the socket 0600 from birth, with no window in which another
    // user could connect.
    const mode_t old_mask = ::umask(0177);
    if (!error) acceptor_.bind(endpoint, error);
    ::umask(old_mask);
    if (!error) acceptor_.listen(boost::asio::socket_base::max_listen_connections, error);
    if (error) throw std::runtime_error(socket_path_.string() + ": cannot listen: " + error.message());
    accept_next();
}

ControlServer::~ControlServer() {
    boost::system::error_code error;
    acceptor_.close(error);
    std::error_code fs_error;
    std::filesystem::remove(socket_path_, fs_error);
}

void ControlServer::accept_next() {
    acceptor_.async_accept([this](const boost::system::error_code& error, stream_protocol::socket socket) {
        if (error == boost::asio::error::operation_aborted) return;
        if (!error) {
            if (peer_is_our_user(socket)) {
                std::make_shared<Session>(std::move(socket), dispatcher_)->start();
            } else {
                spdlog::warn("control socket: refused a client running as another user");
            }
        }
        accept_next();
    });
}

}  // namespace vibed::daemon
