#include "daemon/control/control_server.hpp"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <deque>
#include <set>

#include "daemon/control/socket_endpoint.hpp"

namespace vibed::daemon {
namespace {

using boost::asio::local::stream_protocol;
using Clock = std::chrono::steady_clock;

constexpr const char* kProblemArea = "control socket";
// After refusing a client that was still sending, its remaining bytes are
// read and dropped for this long, so that it reads our reply instead of a
// "connection reset" caused by unread data.
constexpr auto kDrainTime = std::chrono::seconds(1);
// When accept() fails (out of file descriptors), wait before trying again
// instead of spinning on the error.
constexpr auto kAcceptRetry = std::chrono::seconds(1);

bool peer_is_our_user(stream_protocol::socket& socket) {
    ucred credentials{};
    socklen_t length = sizeof credentials;
    if (getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return false;
    return credentials.uid == getuid();
}

// For a connection from another user: the reason, sent without waiting (it
// fits in the socket buffer of a fresh connection), then close.
void refuse_now(stream_protocol::socket& socket, const std::string& reason) {
    boost::system::error_code ignored;
    socket.non_blocking(true, ignored);
    boost::asio::write(socket, boost::asio::buffer(encode_reply({false, {}, reason})), ignored);
    socket.close(ignored);
}

// Refused and evicted connections are kept open for up to kDrainTime, each
// holding a descriptor. So that a flood of clients cannot take the
// descriptors the rest of the daemon needs, at most this many drain at once;
// beyond it new connections wait in the listen backlog (not refused unheard).
std::size_t max_draining_connections() {
    constexpr std::size_t kKeptForTheRest = 128;
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1024;
    return limit.rlim_cur > 2 * kKeptForTheRest ? limit.rlim_cur - kKeptForTheRest : kKeptForTheRest;
}
// How often accepting looks again while too many connections drain.
constexpr auto kDrainingPoll = std::chrono::milliseconds(50);

}  // namespace

class Session;

struct ControlServer::Sessions {
    std::set<Session*> live;  // served and not closing
    std::size_t draining = 0;  // refused or evicted, reading what the client still sends
};

namespace {

std::string seconds_text(std::chrono::milliseconds duration) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(duration).count()) + " s";
}

}  // namespace

// One client connection: reads request lines and answers each in order, one
// at a time (the next line waits until the previous one is answered).
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(stream_protocol::socket socket, const ControlServer::Dispatcher& dispatcher,
            std::shared_ptr<ControlServer::Sessions> sessions, std::chrono::milliseconds idle_timeout)
        : socket_(std::move(socket)),
          timer_(socket_.get_executor()),
          dispatcher_(dispatcher),
          sessions_(std::move(sessions)),
          idle_timeout_(idle_timeout) {}

    ~Session() {
        sessions_->live.erase(this);
        if (draining_) --sessions_->draining;
    }

    void start() {
        sessions_->live.insert(this);
        arm_idle_timer();
        read_more();
    }

    [[nodiscard]] bool idle() const { return !busy_ && !closing_; }
    [[nodiscard]] Clock::time_point idle_since() const { return idle_since_; }

    // Answers with `reason`, then closes; with `drain`, first reads what the
    // client still sends, so that it sees the reason and not a reset.
    void close_with_reason(const std::string& reason, bool drain) {
        if (closing_) return;
        closing_ = true;
        sessions_->live.erase(this);
        if (drain) {  // counted from now: the accept loop may run again before the reply is written
            draining_ = true;
            ++sessions_->draining;
        }
        timer_.cancel();
        auto data = std::make_shared<std::string>(encode_reply({false, {}, reason}));
        boost::asio::async_write(socket_, boost::asio::buffer(*data),
                                 [self = shared_from_this(), data, drain](const boost::system::error_code& error,
                                                                          std::size_t) noexcept {
                                     if (error || !drain) return self->close();
                                     boost::system::error_code ignored;
                                     self->socket_.shutdown(stream_protocol::socket::shutdown_send, ignored);
                                     self->drain();
                                 });
    }

    void close() noexcept {
        boost::system::error_code ignored;
        timer_.cancel();
        socket_.close(ignored);
        // A request still waiting for its answer holds the session; let go.
        // Last statement: this may destroy the session.
        auto release = std::move(awaiting_reply_);
    }

private:
    void read_more() {
        socket_.async_read_some(boost::asio::buffer(buffer_), [self = shared_from_this()](
                                                                  const boost::system::error_code& error,
                                                                  std::size_t n) noexcept {
            if (self->closing_) return;
            if (error) return self->close();
            self->idle_since_ = Clock::now();
            self->arm_idle_timer();
            self->handle_bytes(std::string_view(self->buffer_.data(), n));
        });
    }

    void handle_bytes(std::string_view bytes) noexcept {
        try {
            for (auto& line : splitter_.feed(bytes)) lines_.push_back(std::move(line));
        } catch (const std::exception& e) {
            // Framing is lost: answer once and hang up.
            close_with_reason(e.what(), /*drain=*/true);
            return;
        }
        answer_next();
    }

    void answer_next() noexcept {
        if (closing_) return;
        if (lines_.empty()) return read_more();
        const std::string line = std::move(lines_.front());
        lines_.pop_front();
        busy_ = true;
        timer_.cancel();
        // Nothing else keeps the session alive while the answer is prepared
        // (perhaps on another thread). The responder holds only a weak
        // reference, so that wherever it is destroyed, the session (loop-only
        // state, a socket) is destroyed on the loop.
        awaiting_reply_ = shared_from_this();
        auto answered = std::make_shared<std::atomic<bool>>(false);
        ControlServer::Responder respond = [weak = weak_from_this(), executor = socket_.get_executor(),
                                            answered](Reply reply) {
            if (answered->exchange(true)) return;
            boost::asio::post(executor, [weak, reply = std::move(reply)]() mutable noexcept {
                if (const auto self = weak.lock()) self->send(std::move(reply));
            });
        };
        try {
            dispatcher_(decode_request(line), respond);
        } catch (const std::exception& e) {
            respond(Reply{false, {}, e.what()});
        }
    }

    void send(Reply reply) noexcept {
        busy_ = false;
        const auto self = std::move(awaiting_reply_);  // the write below holds it from now on
        if (closing_) return;
        std::shared_ptr<std::string> data;
        try {
            data = std::make_shared<std::string>(encode_reply(reply));
        } catch (const std::exception& e) {
            data = std::make_shared<std::string>(encode_reply({false, {}, std::string("cannot encode the reply: ") + e.what()}));
        }
        boost::asio::async_write(socket_, boost::asio::buffer(*data),
                                 [self = shared_from_this(), data](const boost::system::error_code& error,
                                                                   std::size_t) noexcept {
                                     if (error) return self->close();
                                     self->idle_since_ = Clock::now();
                                     self->arm_idle_timer();
                                     self->answer_next();
                                 });
    }

    void arm_idle_timer() {
        timer_.expires_after(idle_timeout_);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) noexcept {
            if (error || !self->idle()) return;
            self->close_with_reason("idle for " + seconds_text(self->idle_timeout_) + "; closing the connection",
                                    /*drain=*/false);
        });
    }

    // Reads and drops whatever the client still sends, until it hangs up or
    // kDrainTime has passed.
    void drain() {
        timer_.expires_after(kDrainTime);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) noexcept {
            if (!error) self->close();
        });
        drain_more();
    }

    void drain_more() {
        socket_.async_read_some(boost::asio::buffer(buffer_), [self = shared_from_this()](
                                                                  const boost::system::error_code& error,
                                                                  std::size_t) noexcept {
            if (error) return self->close();
            self->drain_more();
        });
    }

    stream_protocol::socket socket_;
    boost::asio::steady_timer timer_;
    ControlServer::Dispatcher dispatcher_;  // a copy: a late reply may outlive the server
    std::shared_ptr<ControlServer::Sessions> sessions_;
    std::chrono::milliseconds idle_timeout_;
    LineSplitter splitter_;
    std::deque<std::string> lines_;
    std::array<char, 4096> buffer_{};
    Clock::time_point idle_since_ = Clock::now();
    std::shared_ptr<Session> awaiting_reply_;  // set while a request is being answered
    bool busy_ = false;     // a request is being answered
    bool closing_ = false;  // refused or timed out: no more requests
    bool draining_ = false;  // counted in Sessions::draining
};

ControlServer::ControlServer(boost::asio::io_context& io, std::filesystem::path socket_path, Dispatcher dispatcher,
                             util::ProblemSink& problems, Limits limits)
    : socket_path_(std::move(socket_path)),
      acceptor_(io),
      accept_retry_(io),
      dispatcher_(std::move(dispatcher)),
      problems_(problems),
      limits_(limits),
      sessions_(std::make_shared<Sessions>()),
      max_draining_(max_draining_connections()) {
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
    accept_retry_.cancel();
    for (Session* session : std::set<Session*>(sessions_->live)) session->close();
    std::error_code fs_error;
    std::filesystem::remove(socket_path_, fs_error);
}

std::size_t ControlServer::connection_count() const { return sessions_->live.size(); }

void ControlServer::accept_next() {
    if (sessions_->draining >= max_draining_) {
        accept_retry_.expires_after(kDrainingPoll);
        accept_retry_.async_wait([this](const boost::system::error_code& wait_error) noexcept {
            if (!wait_error) accept_next();
        });
        return;
    }
    acceptor_.async_accept([this](const boost::system::error_code& error, stream_protocol::socket socket) noexcept {
        if (error == boost::asio::error::operation_aborted) return;
        if (error) {
            // Typically out of file descriptors: retrying at once would spin.
            problems_.report(kProblemArea, socket_path_.string() + ": cannot accept connections: " + error.message() +
                                               "; retrying");
            accept_retry_.expires_after(kAcceptRetry);
            accept_retry_.async_wait([this](const boost::system::error_code& wait_error) noexcept {
                if (!wait_error) accept_next();
            });
            return;
        }
        problems_.clear(kProblemArea);
        try {
            admit(std::move(socket));
        } catch (const std::exception& e) {
            spdlog::error("control socket: {}", e.what());
        }
        accept_next();
    });
}

void ControlServer::admit(stream_protocol::socket socket) {
    if (!peer_is_our_user(socket)) {
        spdlog::warn("control socket: refused a client running as another user");
        refuse_now(socket, "refused: vibed serves only the user it runs as");
        return;
    }
    if (sessions_->live.size() >= limits_.max_connections) {
        // Make room by closing the connection that has been idle longest.
        Session* oldest = nullptr;
        for (Session* session : sessions_->live) {
            if (session->idle() && (oldest == nullptr || session->idle_since() < oldest->idle_since())) oldest = session;
        }
        if (oldest == nullptr) {
            // Drained, like every refusal: a client whose request is on its
            // way would otherwise get EPIPE or a reset instead of the reason.
            std::make_shared<Session>(std::move(socket), dispatcher_, sessions_, limits_.idle_timeout)
                ->close_with_reason("refused: all " + std::to_string(limits_.max_connections) +
                                        " connections (the limit) are busy; try again later",
                                    /*drain=*/true);
            return;
        }
        oldest->close_with_reason("closed to make room for a new connection (at most " +
                                      std::to_string(limits_.max_connections) + " at once)",
                                  /*drain=*/true);
    }
    std::make_shared<Session>(std::move(socket), dispatcher_, sessions_, limits_.idle_timeout)->start();
}

}  // namespace vibed::daemon
