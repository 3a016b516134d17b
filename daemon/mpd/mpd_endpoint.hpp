#pragma once
// Where vibed finds MPD, by MPD's own conventions (mpc, libmpdclient):
// $MPD_HOST ("host", "password@host", an absolute socket path, "@abstract"
// for a Linux abstract socket), $MPD_PORT and $MPD_TIMEOUT (seconds) come
// first, then the [mpd] keys of vibed's configuration, then MPD's usual
// sockets and localhost:6600. Pure: the environment is passed in.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace vibed::daemon::mpd {

struct MpdEndpoint {
    std::string host;      // a host name or address, an absolute socket path, or "@name"
    unsigned port = 6600;  // ignored for sockets
    std::string password;  // empty: none
    std::chrono::milliseconds timeout{10'000};  // always set: no request waits longer

    [[nodiscard]] bool is_socket() const { return host.starts_with('/') || host.starts_with('@'); }
    // "/run/mpd/socket" or "localhost:6600", for messages (never the password).
    [[nodiscard]] std::string describe() const;
};

// MPD_HOST's value split as libmpdclient does: "secret@host" is a password
// and a host; a socket path or "@abstract" never carries one in front
// unless written "secret@/path" or "secret@@abstract".
struct HostAndPassword {
    std::string host;
    std::string password;
};
HostAndPassword parse_mpd_host(std::string_view value);

// Reads an environment variable; nullopt when unset or empty.
using Environment = std::function<std::optional<std::string>(const char* name)>;
Environment process_environment();

// Says whether a socket file exists (for the default candidates).
using SocketExists = std::function<bool(const std::string& path)>;
bool socket_file_exists(const std::string& path);

// The endpoints to try, in order: exactly one when a host is given by
// $MPD_HOST or the configuration; otherwise the default sockets that exist
// ($XDG_RUNTIME_DIR/mpd/socket, /run/mpd/socket), then localhost:6600.
// Each field is resolved on its own: environment, then configuration, then
// default. Throws std::invalid_argument for a malformed $MPD_PORT or $MPD_TIMEOUT.
std::vector<MpdEndpoint> resolve_endpoints(const config::MpdClientConfig& config, const Environment& environment,
                                           const SocketExists& socket_exists);

}  // namespace vibed::daemon::mpd
