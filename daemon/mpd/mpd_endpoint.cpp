#include "daemon/mpd/mpd_endpoint.hpp"

#include <sys/stat.h>

#include <charconv>
#include <cstdlib>
#include <stdexcept>

namespace vibed::daemon::mpd {
namespace {

constexpr unsigned kDefaultPort = 6600;
constexpr std::chrono::seconds kDefaultTimeout{10};
// libmpdclient's compiled-in socket on Debian; /var/run is a link to /run.
constexpr const char* kSystemSocket = "/run/mpd/socket";

unsigned parse_number(const std::string& text, const char* variable, unsigned min, unsigned max) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
        throw std::invalid_argument(std::string("$") + variable + " is \"" + text + "\"; expected a number from " +
                                    std::to_string(min) + " to " + std::to_string(max));
    }
    return value;
}

}  // namespace

std::string MpdEndpoint::describe() const {
    if (is_socket()) return host;
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

HostAndPassword parse_mpd_host(std::string_view value) {
    // libmpdclient: no password in front of a socket path or an abstract socket.
    if (value.starts_with('/') || value.starts_with('@')) return {std::string(value), {}};
    const std::size_t at = value.find('@');
    if (at == std::string_view::npos) return {std::string(value), {}};
    return {std::string(value.substr(at + 1)), std::string(value.substr(0, at))};
}

Environment process_environment() {
    return [](const char* name) -> std::optional<std::string> {
        const char* value = std::getenv(name);
        if (value == nullptr || *value == '\0') return std::nullopt;
        return std::string(value);
    };
}

bool socket_file_exists(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
}

std::vector<MpdEndpoint> resolve_endpoints(const config::MpdClientConfig& config, const Environment& environment,
                                           const SocketExists& socket_exists) {
    MpdEndpoint base;
    if (const auto host = environment("MPD_HOST")) {
        const HostAndPassword parsed = parse_mpd_host(*host);
        base.host = parsed.host;
        base.password = parsed.password;
    } else if (!config.host.empty()) {
        const HostAndPassword parsed = parse_mpd_host(config.host);
        base.host = parsed.host;
        base.password = parsed.password;
    }
    if (base.password.empty()) base.password = config.password;

    if (const auto port = environment("MPD_PORT")) {
        base.port = parse_number(*port, "MPD_PORT", 1, 65535);
    } else {
        base.port = config.port != 0 ? config.port : kDefaultPort;
    }
    if (const auto timeout = environment("MPD_TIMEOUT")) {
        base.timeout = std::chrono::seconds(parse_number(*timeout, "MPD_TIMEOUT", 1, 3600));
    } else {
        base.timeout = config.timeout.count() > 0 ? config.timeout : kDefaultTimeout;
    }
    if (!base.host.empty()) return {base};

    std::vector<MpdEndpoint> candidates;
    // MPD's systemd user unit (mpd.socket) listens on %t/mpd/socket.
    std::vector<std::string> sockets;
    if (const auto runtime = environment("XDG_RUNTIME_DIR"); runtime && runtime->starts_with('/')) {
        sockets.push_back(*runtime + "/mpd/socket");
    }
    sockets.emplace_back(kSystemSocket);
    for (const auto& socket : sockets) {
        if (!socket_exists(socket)) continue;
        MpdEndpoint endpoint = base;
        endpoint.host = socket;
        candidates.push_back(std::move(endpoint));
    }
    MpdEndpoint tcp = base;
    tcp.host = "localhost";
    candidates.push_back(std::move(tcp));
    return candidates;
}

}  // namespace vibed::daemon::mpd
