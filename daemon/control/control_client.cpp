#include "daemon/control/control_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <istream>

#include "daemon/control/socket_endpoint.hpp"

namespace vibed::daemon {

bool daemon_listens(const std::filesystem::path& socket_path) {
    try {
        boost::asio::io_context io;
        boost::asio::local::stream_protocol::socket socket(io);
        boost::system::error_code error;
        socket.connect(socket_endpoint(socket_path), error);
        return !error;
    } catch (const std::exception&) {
        return false;  // not a socket address
    }
}

std::optional<Reply> call_daemon(const std::filesystem::path& socket_path, const Request& request,
                                 std::chrono::seconds timeout) {
    using boost::asio::local::stream_protocol;
    boost::asio::io_context io;
    stream_protocol::socket socket(io);
    boost::system::error_code error;
    socket.connect(socket_endpoint(socket_path), error);
    if (error) return std::nullopt;  // no daemon listening (absent socket, refused)

    boost::asio::write(socket, boost::asio::buffer(encode_request(request)), error);
    if (error) throw std::runtime_error(socket_path.string() + ": cannot send request: " + error.message());
    boost::asio::streambuf reply_bytes(kMaxLineBytes);
    bool answered = false;
    boost::asio::async_read_until(socket, reply_bytes, '\n', [&](const boost::system::error_code& read_error, std::size_t) {
        error = read_error;
        answered = true;
    });
    io.run_for(timeout);
    if (!answered) {
        throw std::runtime_error(socket_path.string() + ": vibed did not answer within " +
                                 std::to_string(timeout.count()) + " s");
    }
    if (error) throw std::runtime_error(socket_path.string() + ": no reply from vibed: " + error.message());
    std::istream in(&reply_bytes);
    std::string line;
    std::getline(in, line);
    return decode_reply(line);
}

}  // namespace vibed::daemon
