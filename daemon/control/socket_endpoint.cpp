#include "daemon/control/socket_endpoint.hpp"

#include <boost/system/system_error.hpp>

#include <stdexcept>

namespace vibed::daemon {

boost::asio::local::stream_protocol::endpoint socket_endpoint(const std::filesystem::path& socket_path) {
    try {
        return boost::asio::local::stream_protocol::endpoint(socket_path.string());
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error(socket_path.string() + ": cannot be a socket address: " + e.code().message());
    }
}

}  // namespace vibed::daemon
