#pragma once
// One connection to MPD over libmpdclient: the only file that includes
// <mpd/client.h>. Every request has a time limit (the endpoint's timeout);
// every failure becomes an MpdError whose message names MPD's address, what
// vibed asked and MPD's own words ("MPD at /run/mpd/socket: password: incorrect password").

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/mpd/mpd_endpoint.hpp"

struct mpd_connection;

namespace vibed::daemon::mpd {

class MpdError : public std::runtime_error {
public:
    enum class Kind {
        unreachable,  // cannot connect, timed out, or the connection broke: retry later
        password,     // MPD refused the password
        permission,   // MPD wants a (better) password for this command
        refused,      // any other answer of MPD's (the connection stays usable)
    };
    MpdError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    [[nodiscard]] Kind kind() const { return kind_; }

private:
    Kind kind_;
};

struct MpdStatus {
    enum class State { unknown, stopped, playing, paused };
    State state = State::unknown;
    unsigned queue_length = 0;
    std::optional<unsigned> song_position;  // the current song's place in the queue
    bool repeat = false;
    bool random = false;
    unsigned update_job = 0;  // the database update running now; 0: none
};

// What idle reported: the subsystems that changed.
struct MpdChanges {
    bool player = false;    // play, pause, stop, next song
    bool queue = false;     // the queue (MPD's "playlist" event)
    bool database = false;  // an update finished or the database changed
    bool update = false;    // an update started or finished
};

class MpdClient {
public:
    // Connects and, when the endpoint has one, sends the password.
    static MpdClient connect(const MpdEndpoint& endpoint);
    ~MpdClient();
    MpdClient(MpdClient&& other) noexcept;
    MpdClient& operator=(MpdClient&& other) noexcept;
    MpdClient(const MpdClient&) = delete;
    MpdClient& operator=(const MpdClient&) = delete;

    [[nodiscard]] const MpdEndpoint& endpoint() const { return endpoint_; }

    MpdStatus status();
    // The queue's URIs, in order.
    std::vector<std::string> queue();
    // Whether MPD's database holds this song (a URI relative to music_directory).
    bool has_song(const std::string& uri);
    // Starts a database update of one file or folder ("" = everything); returns its job id.
    unsigned update(const std::string& uri);
    // Waits until update job `job` has finished; false when `limit` passed first.
    bool wait_for_update(unsigned job, std::chrono::milliseconds limit);
    void clear();
    // Removes every song of the queue but the one at `position` (MPD's
    // playback of it goes on undisturbed).
    void keep_only(unsigned position);
    // Appends in one command list: all or none.
    void add(const std::vector<std::string>& uris);
    void play_at(unsigned position);
    // MPD's music_directory as MPD reports it. MPD answers only clients on a
    // local socket; nullopt over TCP or when MPD has none.
    std::optional<std::filesystem::path> music_directory();
    // Waits (MPD's idle) for a change in the player or the queue, at most
    // `limit`, returning early with no changes when `wake_fd` becomes readable.
    MpdChanges wait_for_change(std::chrono::milliseconds limit, int wake_fd);

private:
    MpdClient(mpd_connection* connection, MpdEndpoint endpoint) : connection_(connection), endpoint_(std::move(endpoint)) {}
    // Throws when the last request failed; `what` names it.
    void check(const char* what);
    MpdChanges wait_idle(unsigned mask, std::chrono::milliseconds limit, int wake_fd);

    mpd_connection* connection_ = nullptr;
    MpdEndpoint endpoint_;
};

}  // namespace vibed::daemon::mpd
