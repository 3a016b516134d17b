#pragma once
// vibed's control protocol: one JSON object per line over a Unix socket.
//
//   request: {"v": 1, "command": "status", "args": {...}}
//   reply:   {"v": 1, "ok": true, "result": {...}}  or  {"v": 1, "ok": false, "error": "..."}
//
// A peer speaking another version gets an error reply naming both versions.
// Parsing does no I/O so that framing is tested without sockets.

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vibed::daemon {

inline constexpr int kProtocolVersion = 1;
// Longer lines are refused: no client needs them and no peer may make the
// daemon buffer without bound.
inline constexpr std::size_t kMaxLineBytes = 1 << 20;
// Deeper JSON is refused before it is parsed: no request needs more than a
// few levels, and nesting 100,000 levels deep would make any recursive walk
// over the value (copy, dump, destruction) overflow the stack.
inline constexpr std::size_t kMaxJsonDepth = 32;

class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Request {
    std::string command;
    nlohmann::json args = nlohmann::json::object();
};

struct Reply {
    bool ok = false;
    nlohmann::json result;
    std::string error;
};

std::string encode_request(const Request& request);
Request decode_request(std::string_view line);  // Throws ProtocolError.

std::string encode_reply(const Reply& reply);
Reply decode_reply(std::string_view line);  // Throws ProtocolError.

// Collects bytes as they arrive and hands out complete lines.
class LineSplitter {
public:
    // Throws ProtocolError when a line grows beyond kMaxLineBytes.
    std::vector<std::string> feed(std::string_view bytes);

private:
    std::string partial_;
};

}  // namespace vibed::daemon
