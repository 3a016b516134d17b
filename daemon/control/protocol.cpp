#include "daemon/control/protocol.hpp"

namespace vibed::daemon {
namespace {

// Whether the JSON text nests arrays and objects deeper than `limit`,
// counting brackets outside strings. Linear, with no recursion.
bool nests_deeper_than(std::string_view text, std::size_t limit) {
    std::size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > limit) return true;
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return false;
}

nlohmann::json parse_object(std::string_view line) {
    if (nests_deeper_than(line, kMaxJsonDepth)) {
        throw ProtocolError("message nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    nlohmann::json message = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!message.is_object()) throw ProtocolError("malformed message: not a JSON object");
    const auto version = message.find("v");
    if (version == message.end() || !version->is_number_integer()) throw ProtocolError("message without version");
    if (version->get<int>() != kProtocolVersion) {
        throw ProtocolError("protocol version " + std::to_string(version->get<int>()) + " not supported (this side speaks " +
                            std::to_string(kProtocolVersion) + "); use vibectl and vibed from the same release");
    }
    return message;
}

}  // namespace

std::string encode_request(const Request& request) {
    const auto args = request.args.is_null() ? nlohmann::json::object() : request.args;
    return nlohmann::json{{"v", kProtocolVersion}, {"command", request.command}, {"args", args}}.dump() + '\n';
}

Request decode_request(std::string_view line) {
    auto message = parse_object(line);
    const auto command = message.find("command");
    if (command == message.end() || !command->is_string()) throw ProtocolError("request without command");
    Request request{command->get<std::string>(), nlohmann::json::object()};
    if (const auto args = message.find("args"); args != message.end()) {
        if (!args->is_object()) throw ProtocolError("request args must be an object");
        request.args = std::move(*args);
    }
    return request;
}

std::string encode_reply(const Reply& reply) {
    nlohmann::json message{{"v", kProtocolVersion}, {"ok", reply.ok}};
    if (reply.ok) {
        message["result"] = reply.result;
    } else {
        message["error"] = reply.error;
    }
    return message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
}

Reply decode_reply(std::string_view line) {
    const auto message = parse_object(line);
    Reply reply;
    reply.ok = message.value("ok", false);
    if (reply.ok) {
        reply.result = message.value("result", nlohmann::json{});
    } else {
        reply.error = message.value("error", std::string("unknown error"));
    }
    return reply;
}

std::vector<std::string> LineSplitter::feed(std::string_view bytes) {
    std::vector<std::string> lines;
    for (const char c : bytes) {
        if (c == '\n') {
            lines.push_back(std::move(partial_));
            partial_.clear();
        } else if (partial_.size() >= kMaxLineBytes) {
            throw ProtocolError("message longer than " + std::to_string(kMaxLineBytes) + " bytes");
        } else {
            partial_ += c;
        }
    }
    return lines;
}

}  // namespace vibed::daemon
