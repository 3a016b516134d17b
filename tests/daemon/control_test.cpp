// The control protocol (framing, encoding, versions) without sockets, then
// ControlServer and call_daemon talking over a real Unix socket.

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon/control/control_client.hpp"
#include "daemon/control/control_server.hpp"
#include "daemon/control/protocol.hpp"
#include "daemon/service/problem_board.hpp"
#include "tests/daemon/daemon_test_util.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;
using boost::asio::local::stream_protocol;
using nlohmann::json;
using test::ScratchDir;

std::string error_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const ProtocolError& e) {
        return e.what();
    }
    return "no ProtocolError";
}

// ------------------------------------------------------------ encoding

TEST(Protocol, RequestsSurviveARoundTrip) {
    const Request sent{"scan", {{"path", "/music/Ünïcode folder"}, {"deep", true}}};
    const std::string line = encode_request(sent);
    ASSERT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1) << "one request, one line";
    const Request received = decode_request(line.substr(0, line.size() - 1));
    EXPECT_EQ(received.command, sent.command);
    EXPECT_EQ(received.args, sent.args);
}

TEST(Protocol, MissingArgumentsTravelAsAnEmptyObject) {
    const std::string line = encode_request(Request{"status", json()});
    EXPECT_EQ(json::parse(line)["args"], json::object());
    EXPECT_EQ(decode_request(R"({"v": 1, "command": "status"})").args, json::object());
}

TEST(Protocol, RepliesSurviveARoundTrip) {
    const Reply ok{true, {{"tracks", {{"indexed", 12}}}}, {}};
    const Reply decoded_ok = decode_reply(encode_reply(ok));
    EXPECT_TRUE(decoded_ok.ok);
    EXPECT_EQ(decoded_ok.result, ok.result);

    const Reply failed{false, {}, "unknown command 'dance'"};
    const Reply decoded_failed = decode_reply(encode_reply(failed));
    EXPECT_FALSE(decoded_failed.ok);
    EXPECT_EQ(decoded_failed.error, failed.error);
}

TEST(Protocol, RepliesWithInvalidUtf8StillEncode) {
    // A file name from disk may be any bytes; the reply must still go out.
    const Reply reply{false, {}, std::string("cannot decode /music/caf\xe9.mp3")};
    const Reply decoded = decode_reply(encode_reply(reply));
    EXPECT_FALSE(decoded.ok);
    EXPECT_NE(decoded.error.find("/music/caf"), std::string::npos);
}

TEST(Protocol, AnotherVersionIsRefusedNamingBothVersions) {
    const std::string error = error_of([] { decode_request(R"({"v": 2, "command": "status"})"); });
    EXPECT_NE(error.find("protocol version 2 not supported"), std::string::npos) << error;
    EXPECT_NE(error.find("speaks " + std::to_string(kProtocolVersion)), std::string::npos) << error;
    EXPECT_NE(error_of([] { decode_reply(R"({"v": 7, "ok": true})"); }).find("protocol version 7"), std::string::npos);
}

TEST(Protocol, MalformedMessagesAreProtocolErrors) {
    EXPECT_NE(error_of([] { decode_request("status please"); }).find("not a JSON object"), std::string::npos);
    EXPECT_NE(error_of([] { decode_request("[1, 2]"); }).find("not a JSON object"), std::string::npos);
    EXPECT_NE(error_of([] { decode_request(R"({"command": "status"})"); }).find("without version"), std::string::npos);
    EXPECT_NE(error_of([] { decode_request(R"({"v": "1", "command": "status"})"); }).find("without version"),
              std::string::npos);
    EXPECT_NE(error_of([] { decode_request(R"({"v": 1})"); }).find("without command"), std::string::npos);
    EXPECT_NE(error_of([] { decode_request(R"({"v": 1, "command": 3})"); }).find("without command"), std::string::npos);
    EXPECT_NE(error_of([] { decode_request(R"({"v": 1, "command": "scan", "args": "/music"})"); }).find("args"),
              std::string::npos);
}

// ------------------------------------------------------------- framing

TEST(LineSplitter, JoinsALineSplitAcrossReads) {
    LineSplitter splitter;
    EXPECT_TRUE(splitter.feed(R"({"v": 1, "comm)").empty());
    EXPECT_TRUE(splitter.feed("").empty());
    EXPECT_EQ(splitter.feed("and\": \"status\"}\n"), std::vector<std::string>{R"({"v": 1, "command": "status"})"});
}

TEST(LineSplitter, SplitsSeveralLinesInOneRead) {
    LineSplitter splitter;
    EXPECT_EQ(splitter.feed("one\ntwo\n\nthree"), (std::vector<std::string>{"one", "two", ""}));
    EXPECT_EQ(splitter.feed("\n"), std::vector<std::string>{"three"});
}

TEST(LineSplitter, AcceptsALineOfExactlyTheLimit) {
    LineSplitter splitter;
    const std::string longest(kMaxLineBytes, 'x');
    EXPECT_EQ(splitter.feed(longest + "\n"), std::vector<std::string>{longest});
}

TEST(LineSplitter, RefusesAnOverLongLineEvenInPieces) {
    LineSplitter splitter;
    const std::string half(kMaxLineBytes / 2, 'x');
    EXPECT_TRUE(splitter.feed(half).empty());
    EXPECT_TRUE(splitter.feed(half).empty());
    EXPECT_NE(error_of([&] { splitter.feed("x"); }).find("longer than"), std::string::npos);
}

// ----------------------------------------------------- server and client

class ControlSocket : public ::testing::Test {
protected:
    // Answers "echo" with what it received, anything else with an error.
    static Reply echo(const Request& request) {
        if (request.command != "echo") return {false, {}, "unknown command '" + request.command + "'"};
        return {true, {{"args", request.args}}, {}};
    }

    // A dispatcher answering at once with what `answer` returns.
    static ControlServer::Dispatcher answering(std::function<Reply(const Request&)> answer) {
        return [answer = std::move(answer)](const Request& request, const ControlServer::Responder& respond) {
            respond(answer(request));
        };
    }

    void start_server(ControlServer::Dispatcher dispatcher = answering(echo), ControlLimits limits = {}) {
        server_ = std::make_unique<ControlServer>(io_, socket_, std::move(dispatcher), problems_, limits);
        loop_ = std::thread([this] {
            auto work = boost::asio::make_work_guard(io_);
            io_.run();
        });
    }

    void stop_server() {
        if (loop_.joinable()) {
            io_.stop();
            loop_.join();
        }
        server_.reset();
    }

    void TearDown() override { stop_server(); }

    // Writes raw bytes as a client and reads until the server hangs up or
    // `lines` replies arrived.
    std::vector<std::string> exchange_raw(const std::string& bytes, std::size_t lines) const {
        boost::asio::io_context client_io;
        stream_protocol::socket client(client_io);
        client.connect(stream_protocol::endpoint(socket_.string()));
        boost::system::error_code error;
        // A server that hangs up early makes this fail (EPIPE); its reply is still there to read.
        boost::asio::write(client, boost::asio::buffer(bytes), error);
        LineSplitter splitter;
        std::vector<std::string> replies;
        std::array<char, 4096> buffer{};
        while (replies.size() < lines) {
            const std::size_t n = client.read_some(boost::asio::buffer(buffer), error);
            if (error) break;
            for (auto& line : splitter.feed(std::string_view(buffer.data(), n))) replies.push_back(std::move(line));
        }
        return replies;
    }

    // A connected client that has sent nothing.
    std::unique_ptr<stream_protocol::socket> idle_client(boost::asio::io_context& client_io) const {
        auto client = std::make_unique<stream_protocol::socket>(client_io);
        client->connect(stream_protocol::endpoint(socket_.string()));
        return client;
    }

    // Reads one reply line (or nothing, when the server hangs up first).
    static std::optional<Reply> read_reply(stream_protocol::socket& client) {
        LineSplitter splitter;
        std::array<char, 4096> buffer{};
        boost::system::error_code error;
        while (true) {
            const std::size_t n = client.read_some(boost::asio::buffer(buffer), error);
            if (error) return std::nullopt;
            const auto lines = splitter.feed(std::string_view(buffer.data(), n));
            if (!lines.empty()) return decode_reply(lines.front());
        }
    }

    ScratchDir dir_;
    const fs::path socket_ = dir_ / "runtime/vibed.sock";  // the folder does not exist yet
    ProblemBoard problems_;
    boost::asio::io_context io_;
    std::unique_ptr<ControlServer> server_;
    std::thread loop_;

    // Read on the server's own thread.
    std::size_t server_connections() {
        std::promise<std::size_t> count;
        boost::asio::post(io_, [&] { count.set_value(server_->connection_count()); });
        return count.get_future().get();
    }
};

TEST_F(ControlSocket, ARequestGetsTheDispatchersReply) {
    start_server();
    const auto reply = call_daemon(socket_, Request{"echo", {{"path", "/music/rock"}}});
    ASSERT_TRUE(reply.has_value());
    EXPECT_TRUE(reply->ok) << reply->error;
    EXPECT_EQ(reply->result["args"]["path"], "/music/rock");

    const auto refused = call_daemon(socket_, Request{"dance", {}});
    ASSERT_TRUE(refused.has_value());
    EXPECT_FALSE(refused->ok);
    EXPECT_EQ(refused->error, "unknown command 'dance'");
}

TEST_F(ControlSocket, TheSocketIsPrivateToItsUser) {
    start_server();
    struct stat info {};
    ASSERT_EQ(::stat(socket_.c_str(), &info), 0);
    EXPECT_TRUE(S_ISSOCK(info.st_mode));
    EXPECT_EQ(info.st_mode & 07777, 0600u);
}

TEST_F(ControlSocket, SeveralRequestsOnOneConnectionAreAnsweredInOrder) {
    start_server();
    const std::string requests = encode_request({"echo", {{"n", 1}}}) + encode_request({"echo", {{"n", 2}}}) +
                                 encode_request({"echo", {{"n", 3}}});
    const auto replies = exchange_raw(requests, 3);
    ASSERT_EQ(replies.size(), 3u);
    for (int n = 1; n <= 3; ++n) EXPECT_EQ(decode_reply(replies[n - 1]).result["args"]["n"], n);
}

TEST_F(ControlSocket, AMalformedLineGetsAnErrorReplyAndTheConnectionGoesOn) {
    start_server();
    const auto replies = exchange_raw("this is not json\n" + encode_request({"echo", {{"n", 2}}}), 2);
    ASSERT_EQ(replies.size(), 2u);
    const Reply error = decode_reply(replies[0]);
    EXPECT_FALSE(error.ok);
    EXPECT_NE(error.error.find("not a JSON object"), std::string::npos) << error.error;
    EXPECT_TRUE(decode_reply(replies[1]).ok);
}

TEST_F(ControlSocket, AnOverLongRequestIsRefusedAndTheServerStaysUp) {
    start_server();
    const auto replies = exchange_raw(std::string(kMaxLineBytes + 1, 'x') + "\n" + encode_request({"echo", {}}), 2);
    ASSERT_EQ(replies.size(), 1u) << "the server must hang up after refusing";
    const Reply refused = decode_reply(replies[0]);
    EXPECT_FALSE(refused.ok);
    EXPECT_NE(refused.error.find("longer than"), std::string::npos) << refused.error;

    const auto next = call_daemon(socket_, Request{"echo", {}});
    ASSERT_TRUE(next.has_value());
    EXPECT_TRUE(next->ok);
}

TEST_F(ControlSocket, ADispatcherExceptionBecomesAnErrorReply) {
    start_server([](const Request&, const ControlServer::Responder&) { throw std::runtime_error("config.toml:3:1: bad value"); });
    const auto reply = call_daemon(socket_, Request{"reload", {}});
    ASSERT_TRUE(reply.has_value());
    EXPECT_FALSE(reply->ok);
    EXPECT_EQ(reply->error, "config.toml:3:1: bad value");
}

TEST_F(ControlSocket, DeeplyNestedJsonIsRefusedWithAReasonAndTheServerStaysUp) {
    start_server();
    // 100,000 levels in 600 KB, under the line cap: a recursive copy of it
    // used to overflow the stack.
    constexpr std::size_t kDepth = 100'000;
    std::string deep = R"({"v": 1, "command": "echo", "args": )";
    for (std::size_t i = 0; i < kDepth; ++i) deep += R"({"a":)";
    deep += "1";
    deep += std::string(kDepth, '}');
    deep += "}\n";
    ASSERT_LT(deep.size(), kMaxLineBytes);
    const auto replies = exchange_raw(deep, 1);
    ASSERT_EQ(replies.size(), 1u);
    const Reply refused = decode_reply(replies[0]);
    EXPECT_FALSE(refused.ok);
    EXPECT_NE(refused.error.find("nests deeper than"), std::string::npos) << refused.error;
    const auto next = call_daemon(socket_, Request{"echo", {{"still", "here"}}});
    ASSERT_TRUE(next.has_value());
    EXPECT_TRUE(next->ok);
}

TEST(Protocol, NestingIsCountedOutsideStringsOnly) {
    std::string brackets_in_text = R"({"v": 1, "command": "echo", "args": {"name": ")" + std::string(100, '[') + R"("}})";
    EXPECT_EQ(decode_request(brackets_in_text).args["name"], std::string(100, '['));
    // The message and its args are two levels; the arrays inside make up the rest.
    const auto nested = [](std::size_t arrays) {
        return R"({"v": 1, "command": "echo", "args": {"x": )" + std::string(arrays, '[') + std::string(arrays, ']') + "}}";
    };
    EXPECT_NO_THROW(decode_request(nested(kMaxJsonDepth - 2)));
    EXPECT_NE(error_of([&] { decode_request(nested(kMaxJsonDepth - 1)); }).find("nests deeper"), std::string::npos);
}

TEST_F(ControlSocket, AnIdleConnectionIsClosedWithAReason) {
    start_server(answering(echo), ControlLimits{8, std::chrono::milliseconds(300)});
    boost::asio::io_context client_io;
    auto client = idle_client(client_io);
    const auto started = std::chrono::steady_clock::now();
    const auto reply = read_reply(*client);
    ASSERT_TRUE(reply.has_value()) << "closed without a reason";
    EXPECT_FALSE(reply->ok);
    EXPECT_NE(reply->error.find("idle for"), std::string::npos) << reply->error;
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(250));
}

TEST_F(ControlSocket, AtTheCapTheLongestIdleConnectionMakesRoom) {
    start_server(answering(echo), ControlLimits{4, std::chrono::seconds(60)});
    boost::asio::io_context client_io;
    std::vector<std::unique_ptr<stream_protocol::socket>> idle;
    for (int i = 0; i < 4; ++i) {
        idle.push_back(idle_client(client_io));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // so "oldest" is well defined
    }
    // A fifth client is served, and the first idle one hears why it goes.
    const auto reply = call_daemon(socket_, Request{"echo", {{"n", 5}}});
    ASSERT_TRUE(reply.has_value());
    EXPECT_TRUE(reply->ok) << reply->error;
    const auto evicted = read_reply(*idle.front());
    ASSERT_TRUE(evicted.has_value());
    EXPECT_NE(evicted->error.find("make room"), std::string::npos) << evicted->error;
    EXPECT_LE(server_connections(), 4u);
}

TEST_F(ControlSocket, WhenEveryConnectionIsBusyANewcomerIsRefusedWithAReason) {
    // Requests are answered only when the test says so.
    std::mutex mutex;
    std::vector<ControlServer::Responder> waiting;
    start_server(
        [&](const Request&, ControlServer::Responder respond) {
            std::lock_guard lock(mutex);
            waiting.push_back(std::move(respond));
        },
        ControlLimits{2, std::chrono::seconds(60)});
    boost::asio::io_context client_io;
    std::vector<std::unique_ptr<stream_protocol::socket>> busy;
    for (int i = 0; i < 2; ++i) {
        busy.push_back(idle_client(client_io));
        boost::asio::write(*busy.back(), boost::asio::buffer(encode_request({"wait", {}})));
    }
    for (int tries = 0; tries < 200; ++tries) {
        {
            std::lock_guard lock(mutex);
            if (waiting.size() == 2) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto newcomer = idle_client(client_io);
    const auto refused = read_reply(*newcomer);
    ASSERT_TRUE(refused.has_value()) << "refused without a reason";
    EXPECT_NE(refused->error.find("busy"), std::string::npos) << refused->error;
    // The answers given later (from another thread) still reach their clients.
    std::thread([&] {
        std::lock_guard lock(mutex);
        for (auto& respond : waiting) respond({true, {{"late", true}}, {}});
    }).join();
    for (auto& client : busy) {
        const auto reply = read_reply(*client);
        ASSERT_TRUE(reply.has_value());
        EXPECT_TRUE(reply->ok);
        EXPECT_EQ(reply->result["late"], true);
    }
}

// A burst (issue 19): 1,000 clients connect, then each sends a request and
// reads. Beyond the limit each must read a reply naming it; before, 936 got
// EPIPE or a reset, the server having closed them before they sent.
TEST_F(ControlSocket, AThousandClientsAtOnceEachReadAnAnswerOrTheLimit) {
    constexpr int kClients = 1000;
    rlimit limit{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 8192);
    if (limit.rlim_cur < 3 * kClients) GTEST_SKIP() << "needs 3,000 descriptors (both ends in one process)";
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
    start_server();  // the default limit, 64
    boost::asio::io_context client_io;
    std::vector<std::unique_ptr<stream_protocol::socket>> clients;
    for (int i = 0; i < kClients; ++i) clients.push_back(idle_client(client_io));
    std::vector<std::string> outcomes(kClients);
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i) {
        threads.emplace_back([&, i] {
            boost::system::error_code error;
            boost::asio::write(*clients[i], boost::asio::buffer(encode_request({"echo", {{"n", i}}})), error);
            if (error) {
                outcomes[i] = "send failed: " + error.message();
                return;
            }
            const auto reply = read_reply(*clients[i]);
            outcomes[i] = !reply ? "no reply" : reply->ok ? "ok" : reply->error;
        });
    }
    for (auto& thread : threads) thread.join();
    int served = 0;
    int told_the_limit = 0;
    for (const auto& outcome : outcomes) {
        if (outcome == "ok") {
            ++served;
        } else if (outcome.find("64") != std::string::npos) {
            ++told_the_limit;
        } else {
            ADD_FAILURE() << outcome;
            break;
        }
    }
    EXPECT_GE(served, 1);
    EXPECT_EQ(served + told_the_limit, kClients);
}

TEST_F(ControlSocket, NoServerMeansNoReply) {
    EXPECT_EQ(call_daemon(socket_, Request{"status", {}}), std::nullopt);

    // A socket file left behind by a crashed daemon: nobody listens on it.
    {
        boost::asio::io_context io;
        fs::create_directories(socket_.parent_path());
        stream_protocol::acceptor stale(io, stream_protocol::endpoint(socket_.string()));
    }
    ASSERT_TRUE(fs::exists(socket_));
    EXPECT_EQ(call_daemon(socket_, Request{"status", {}}), std::nullopt);
}

TEST_F(ControlSocket, AStaleSocketFileIsReplaced) {
    {
        boost::asio::io_context io;
        fs::create_directories(socket_.parent_path());
        stream_protocol::acceptor stale(io, stream_protocol::endpoint(socket_.string()));
    }
    start_server();
    const auto reply = call_daemon(socket_, Request{"echo", {}});
    ASSERT_TRUE(reply.has_value());
    EXPECT_TRUE(reply->ok);
}

TEST_F(ControlSocket, TheSocketFileGoesAwayWithTheServer) {
    start_server();
    ASSERT_TRUE(fs::exists(socket_));
    stop_server();
    EXPECT_FALSE(fs::exists(socket_));
    EXPECT_EQ(call_daemon(socket_, Request{"status", {}}), std::nullopt);
}

TEST_F(ControlSocket, AnUnusablePathIsAnErrorNamingIt) {
    const fs::path impossible = dir_ / "not-a-folder" / "vibed.sock";
    test::write_file(dir_ / "not-a-folder");
    try {
        ControlServer server(io_, impossible, answering(echo), problems_);
        FAIL() << "bound a socket below a regular file";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(impossible.string()), std::string::npos) << e.what();
    }
}

TEST_F(ControlSocket, APathTooLongForASocketIsAnErrorNamingIt) {
    // sun_path holds 108 bytes; a deep XDG_RUNTIME_DIR or a configured path can exceed it.
    const fs::path too_long = dir_ / std::string(120, 'd') / "vibed.sock";
    const mode_t umask_before = ::umask(022);
    ::umask(umask_before);
    try {
        ControlServer server(io_, too_long, answering(echo), problems_);
        FAIL() << "bound a socket at a path longer than sun_path";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(too_long.string()), std::string::npos) << e.what();
    }
    const mode_t umask_after = ::umask(umask_before);
    EXPECT_EQ(umask_after, umask_before) << "the server left its socket umask behind";
    try {
        call_daemon(too_long, Request{"status", {}});
        FAIL() << "connected to a path longer than sun_path";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(too_long.string()), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace vibed::daemon
