#pragma once
// Putting vibed's tracks into MPD's queue, shared by `vibectl play` and the
// keep-playing mode: paths become MPD URIs, files MPD does not know yet are
// updated first (waiting a bounded time), and what still cannot be played is
// skipped with one warning per file.

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "daemon/mpd/mpd_client.hpp"
#include "daemon/mpd/path_map.hpp"

namespace vibed::daemon::mpd {

// MPD's music_directory as vibed sees it and where that came from.
struct MusicDirectory {
    std::filesystem::path path;
    std::string origin;  // "[mpd] music_directory", "MPD itself", "/home/ana/.config/mpd/mpd.conf"
};

// [mpd] music_directory when set; else what MPD reports (it does so only over
// a local socket); else the music_directory of the mpd.conf vibed found.
// Throws std::runtime_error saying what to set when none is known.
MusicDirectory find_music_directory(const config::Config& config, MpdClient& client);

// The first endpoint of resolve_endpoints() that accepts a connection. Throws
// the last MpdError when none does; a refused password is thrown at once.
MpdClient connect_first(const config::MpdClientConfig& config);

// replace: the whole queue; append: after its last song; after_current:
// everything but the current song, which plays on.
// A connection to the first MPD that answers, with its music directory and
// the map between vibed's paths and MPD's URIs.
struct MpdSession {
    MpdClient client;
    MusicDirectory music;
    PathMap paths;
};
MpdSession open_session(const config::Config& config);

enum class QueueMode { replace, append, after_current };

struct QueueOutcome {
    std::size_t added = 0;
    std::size_t skipped = 0;
    unsigned first_position = 0;  // where the first added track is in the queue
    bool started = false;         // playback was started at it
};

// Called once per track that is skipped, with one line naming it and why.
using Warn = std::function<void(const std::filesystem::path& track, const std::string& line)>;

// How long to wait for MPD to take in files it does not know yet.
inline constexpr std::chrono::seconds kUpdateWait{30};

// replace: clears the queue, adds the tracks and plays the first one.
// append: adds them after the last; starts playing at the first added one
// only when MPD was stopped. after_current: removes all but the current
// song and adds the tracks after it (a stopped MPD starts at the current
// song). Nothing is changed when no track can be queued: throws
// std::runtime_error saying why.
QueueOutcome put_in_queue(MpdClient& client, const PathMap& paths, const std::vector<std::filesystem::path>& tracks,
                          QueueMode mode, const Warn& warn, std::chrono::milliseconds update_wait = kUpdateWait);

// The files of MPD's queue in queue order, those inside the music directory
// (streams and songs elsewhere are left out).
std::vector<std::filesystem::path> queued_tracks(MpdClient& client, const PathMap& paths);

// The file of the song MPD plays (or is paused or stopped at). Throws
// std::runtime_error when there is none or it is no file of the music directory.
std::filesystem::path current_track(MpdClient& client, const PathMap& paths);

}  // namespace vibed::daemon::mpd
