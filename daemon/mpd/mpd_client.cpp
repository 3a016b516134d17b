#include "daemon/mpd/mpd_client.hpp"

#include <poll.h>

#include <mpd/client.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>

namespace vibed::daemon::mpd {
namespace {

using Clock = std::chrono::steady_clock;

// Owns what libmpdclient hands out, so no path leaks it.
struct StatusDeleter {
    void operator()(mpd_status* status) const { mpd_status_free(status); }
};
struct SongDeleter {
    void operator()(mpd_song* song) const { mpd_song_free(song); }
};
struct EntityDeleter {
    void operator()(mpd_entity* entity) const { mpd_entity_free(entity); }
};

MpdStatus::State state_of(mpd_state state) {
    switch (state) {
        case MPD_STATE_STOP: return MpdStatus::State::stopped;
        case MPD_STATE_PLAY: return MpdStatus::State::playing;
        case MPD_STATE_PAUSE: return MpdStatus::State::paused;
        case MPD_STATE_UNKNOWN: break;
    }
    return MpdStatus::State::unknown;
}

MpdChanges changes_of(unsigned mask) {
    return MpdChanges{(mask & MPD_IDLE_PLAYER) != 0, (mask & MPD_IDLE_QUEUE) != 0, (mask & MPD_IDLE_DATABASE) != 0,
                      (mask & MPD_IDLE_UPDATE) != 0};
}

std::string prefix(const MpdEndpoint& endpoint) { return "MPD at " + endpoint.describe() + ": "; }

}  // namespace

MpdClient MpdClient::connect(const MpdEndpoint& endpoint) {
    const auto timeout_ms = static_cast<unsigned>(std::max<std::chrono::milliseconds::rep>(endpoint.timeout.count(), 1));
    mpd_connection* connection = mpd_connection_new(endpoint.host.c_str(), endpoint.port, timeout_ms);
    if (connection == nullptr) throw std::bad_alloc();
    MpdClient client(connection, endpoint);
    if (mpd_connection_get_error(connection) != MPD_ERROR_SUCCESS) {
        throw MpdError(MpdError::Kind::unreachable,
                       prefix(endpoint) + "cannot connect: " + mpd_connection_get_error_message(connection));
    }
    if (!endpoint.password.empty()) {
        mpd_run_password(connection, endpoint.password.c_str());
        client.check("password");
    }
    return client;
}

MpdClient::~MpdClient() {
    if (connection_ != nullptr) mpd_connection_free(connection_);
}

MpdClient::MpdClient(MpdClient&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)), endpoint_(std::move(other.endpoint_)) {}

MpdClient& MpdClient::operator=(MpdClient&& other) noexcept {
    if (this != &other) {
        if (connection_ != nullptr) mpd_connection_free(connection_);
        connection_ = std::exchange(other.connection_, nullptr);
        endpoint_ = std::move(other.endpoint_);
    }
    return *this;
}

void MpdClient::check(const char* what) {
    const mpd_error error = mpd_connection_get_error(connection_);
    if (error == MPD_ERROR_SUCCESS) return;
    const std::string message = prefix(endpoint_) + what + ": " + mpd_connection_get_error_message(connection_);
    if (error != MPD_ERROR_SERVER) {
        // Timed out, closed, or garbled: this connection is done for.
        throw MpdError(MpdError::Kind::unreachable, message);
    }
    const mpd_server_error server_error = mpd_connection_get_server_error(connection_);
    // An answer of MPD's: the connection stays usable once the error is cleared.
    const bool usable = mpd_connection_clear_error(connection_);
    if (server_error == MPD_SERVER_ERROR_PASSWORD) throw MpdError(MpdError::Kind::password, message);
    if (server_error == MPD_SERVER_ERROR_PERMISSION) {
        throw MpdError(MpdError::Kind::permission,
                       message + (endpoint_.password.empty() ? " (MPD wants a password: [mpd] password or MPD_HOST=password@host)"
                                                             : " (the password lacks that permission)"));
    }
    throw MpdError(usable ? MpdError::Kind::refused : MpdError::Kind::unreachable, message);
}

MpdStatus MpdClient::status() {
    std::unique_ptr<mpd_status, StatusDeleter> raw(mpd_run_status(connection_));
    check("status");
    if (!raw) throw MpdError(MpdError::Kind::unreachable, prefix(endpoint_) + "status: no answer");
    MpdStatus status;
    status.state = state_of(mpd_status_get_state(raw.get()));
    status.queue_length = mpd_status_get_queue_length(raw.get());
    const int position = mpd_status_get_song_pos(raw.get());
    if (position >= 0) status.song_position = static_cast<unsigned>(position);
    status.repeat = mpd_status_get_repeat(raw.get());
    status.random = mpd_status_get_random(raw.get());
    status.update_job = mpd_status_get_update_id(raw.get());
    return status;
}

std::vector<std::string> MpdClient::queue() {
    std::vector<std::string> uris;
    if (!mpd_send_list_queue_meta(connection_)) check("playlistinfo");
    while (std::unique_ptr<mpd_song, SongDeleter> song{mpd_recv_song(connection_)}) {
        uris.emplace_back(mpd_song_get_uri(song.get()));
    }
    check("playlistinfo");
    mpd_response_finish(connection_);
    check("playlistinfo");
    return uris;
}

bool MpdClient::has_song(const std::string& uri) {
    bool found = false;
    if (mpd_send_list_meta(connection_, uri.c_str())) {
        while (std::unique_ptr<mpd_entity, EntityDeleter> entity{mpd_recv_entity(connection_)}) {
            if (mpd_entity_get_type(entity.get()) == MPD_ENTITY_TYPE_SONG) found = true;
        }
        mpd_response_finish(connection_);
    }
    if (mpd_connection_get_error(connection_) == MPD_ERROR_SERVER &&
        mpd_connection_get_server_error(connection_) == MPD_SERVER_ERROR_NO_EXIST) {
        mpd_connection_clear_error(connection_);
        return false;
    }
    check("lsinfo");
    return found;
}

unsigned MpdClient::update(const std::string& uri) {
    const unsigned job = mpd_run_update(connection_, uri.empty() ? nullptr : uri.c_str());
    check("update");
    return job;
}

bool MpdClient::wait_for_update(unsigned job, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    for (;;) {
        const unsigned running = status().update_job;
        // Jobs run one after the other with growing ids.
        if (running == 0 || running > job) return true;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        wait_idle(MPD_IDLE_UPDATE | MPD_IDLE_DATABASE, left, -1);
    }
}

void MpdClient::clear() {
    mpd_run_clear(connection_);
    check("clear");
}

void MpdClient::keep_only(unsigned position) {
    // After it first, so that the position stays valid; UINT_MAX: to the
    // end. MPD refuses a range that starts past the end, even an empty one.
    if (position + 1 < status().queue_length) mpd_run_delete_range(connection_, position + 1, UINT_MAX);
    check("delete");
    if (position > 0) mpd_run_delete_range(connection_, 0, position);
    check("delete");
}

void MpdClient::add(const std::vector<std::string>& uris) {
    if (uris.empty()) return;
    if (mpd_command_list_begin(connection_, false)) {
        for (const auto& uri : uris) {
            if (!mpd_send_add(connection_, uri.c_str())) break;
        }
        if (mpd_command_list_end(connection_)) mpd_response_finish(connection_);
    }
    check("add");
}

void MpdClient::play_at(unsigned position) {
    mpd_run_play_pos(connection_, position);
    check("play");
}

std::optional<std::filesystem::path> MpdClient::music_directory() {
    std::optional<std::filesystem::path> directory;
    if (mpd_send_command(connection_, "config", nullptr)) {
        if (mpd_pair* pair = mpd_recv_pair_named(connection_, "music_directory")) {
            directory = std::filesystem::path(pair->value);
            mpd_return_pair(connection_, pair);
        }
        mpd_response_finish(connection_);
    }
    if (mpd_connection_get_error(connection_) == MPD_ERROR_SERVER) {
        // MPD refuses `config` (permission) to clients that are not on a local socket.
        mpd_connection_clear_error(connection_);
        return std::nullopt;
    }
    check("config");
    return directory;
}

MpdChanges MpdClient::wait_for_change(std::chrono::milliseconds limit, int wake_fd) {
    return wait_idle(MPD_IDLE_PLAYER | MPD_IDLE_QUEUE, limit, wake_fd);
}

MpdChanges MpdClient::wait_idle(unsigned mask, std::chrono::milliseconds limit, int wake_fd) {
    if (!mpd_send_idle_mask(connection_, static_cast<mpd_idle>(mask))) check("idle");
    pollfd fds[2] = {{mpd_connection_get_fd(connection_), POLLIN, 0}, {wake_fd, POLLIN, 0}};
    const nfds_t count = wake_fd >= 0 ? 2 : 1;
    int ready = 0;
    const auto deadline = Clock::now() + limit;
    do {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        ready = ::poll(fds, count, static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0)));
    } while (ready < 0 && errno == EINTR);
    if (ready < 0) throw MpdError(MpdError::Kind::unreachable, prefix(endpoint_) + "idle: poll: " + std::strerror(errno));
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        // Nothing changed in time (or we were woken): leave idle; MPD answers
        // with what changed meanwhile, if anything.
        mpd_send_noidle(connection_);
    }
    const unsigned changed = mpd_recv_idle(connection_, false);
    check("idle");
    return changes_of(changed);
}

}  // namespace vibed::daemon::mpd
