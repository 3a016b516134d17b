#include "daemon/mpd/queue_loader.hpp"

#include <optional>
#include <set>

namespace vibed::daemon::mpd {
namespace {

namespace fs = std::filesystem;

struct Candidate {
    fs::path path;
    std::string uri;
};

// The folders to update so that MPD learns the given songs: each song's
// folder once (a whole new album is one update, not one per track).
std::set<std::string> folders_of(const std::vector<const Candidate*>& songs) {
    std::set<std::string> folders;
    for (const auto* song : songs) folders.insert(fs::path(song->uri).parent_path().generic_string());
    return folders;
}

// Asks MPD to update where the unknown songs are and waits for it; returns
// those MPD then knows. Warns for the others.
std::vector<const Candidate*> learn(MpdClient& client, const std::vector<const Candidate*>& unknown,
                                    const PathMap& paths, const Warn& warn, std::chrono::milliseconds update_wait) {
    unsigned last_job = 0;
    for (const auto& folder : folders_of(unknown)) last_job = client.update(folder);
    const bool finished = client.wait_for_update(last_job, update_wait);
    std::vector<const Candidate*> known;
    for (const auto* song : unknown) {
        if (client.has_song(song->uri)) {
            known.push_back(song);
        } else if (finished) {
            warn(song->path, song->path.string() + ": MPD does not know it even after updating " + paths.music_directory().string() +
                 "/" + fs::path(song->uri).parent_path().generic_string() + " (a format MPD cannot read?); skipped");
        } else {
            warn(song->path, song->path.string() + ": MPD's database update did not finish within " +
                 std::to_string(std::chrono::duration_cast<std::chrono::seconds>(update_wait).count()) + " s; skipped");
        }
    }
    return known;
}

// Puts the playable URIs where `mode` says and starts playback as it says.
void place(MpdClient& client, const std::vector<std::string>& uris, QueueMode mode, QueueOutcome& outcome) {
    const MpdStatus before = client.status();
    if (mode == QueueMode::replace) {
        client.clear();
        client.add(uris);
        client.play_at(0);
        outcome.started = true;
    } else if (mode == QueueMode::append) {
        outcome.first_position = before.queue_length;
        client.add(uris);
        if (before.state == MpdStatus::State::stopped) {
            client.play_at(outcome.first_position);
            outcome.started = true;
        }
    } else {
        if (!before.song_position) throw std::runtime_error("MPD has no current song to keep; its queue is unchanged");
        client.keep_only(*before.song_position);
        outcome.first_position = 1;
        client.add(uris);
        if (before.state == MpdStatus::State::stopped) {
            client.play_at(0);
            outcome.started = true;
        }
    }
}

}  // namespace

MusicDirectory find_music_directory(const config::Config& config, MpdClient& client) {
    if (!config.mpd_client.music_directory.empty()) return {config.mpd_client.music_directory, "[mpd] music_directory"};
    if (auto reported = client.music_directory(); reported && reported->is_absolute()) {
        return {*reported, "MPD at " + client.endpoint().describe()};
    }
    if (!config.mpd.music_directory.empty()) return {config.mpd.music_directory, config.mpd.config_file.string()};
    throw std::runtime_error("MPD's music_directory is unknown: MPD at " + client.endpoint().describe() +
                             " tells it only over a local socket and no mpd.conf was found; set [mpd] music_directory");
}

MpdClient connect_first(const config::MpdClientConfig& config) {
    const auto endpoints = resolve_endpoints(config, process_environment(), socket_file_exists);
    std::optional<MpdError> last;
    for (const auto& endpoint : endpoints) {
        try {
            return MpdClient::connect(endpoint);
        } catch (const MpdError& error) {
            if (error.kind() != MpdError::Kind::unreachable) throw;
            last = error;
        }
    }
    throw *last;  // resolve_endpoints() always gives at least one
}

MpdSession open_session(const config::Config& config) {
    MpdClient client = connect_first(config.mpd_client);
    MusicDirectory music = find_music_directory(config, client);
    PathMap paths(music.path);
    return {std::move(client), std::move(music), std::move(paths)};
}

QueueOutcome put_in_queue(MpdClient& client, const PathMap& paths, const std::vector<fs::path>& tracks, QueueMode mode,
                          const Warn& warn, std::chrono::milliseconds update_wait) {
    std::vector<Candidate> candidates;
    for (const auto& track : tracks) {
        if (auto uri = paths.to_uri(track)) {
            candidates.push_back({track, std::move(*uri)});
        } else {
            warn(track, track.string() + ": outside MPD's music_directory " + paths.music_directory().string() + "; skipped");
        }
    }
    std::vector<const Candidate*> unknown;
    std::set<const Candidate*> playable;
    for (const auto& candidate : candidates) {
        if (client.has_song(candidate.uri)) {
            playable.insert(&candidate);
        } else {
            unknown.push_back(&candidate);
        }
    }
    if (!unknown.empty()) {
        for (const auto* song : learn(client, unknown, paths, warn, update_wait)) playable.insert(song);
    }
    std::vector<std::string> uris;
    for (const auto& candidate : candidates) {
        if (playable.contains(&candidate)) uris.push_back(candidate.uri);
    }
    QueueOutcome outcome;
    outcome.skipped = tracks.size() - uris.size();
    if (uris.empty()) {
        throw std::runtime_error(tracks.empty() ? "no tracks to queue"
                                                : "none of the " + std::to_string(tracks.size()) +
                                                      " tracks can be played by MPD (see above); its queue is unchanged");
    }
    place(client, uris, mode, outcome);
    outcome.added = uris.size();
    return outcome;
}

std::vector<fs::path> queued_tracks(MpdClient& client, const PathMap& paths) {
    std::vector<fs::path> tracks;
    for (const auto& uri : client.queue()) {
        if (auto track = paths.to_path(uri)) tracks.push_back(std::move(*track));
    }
    return tracks;
}

fs::path current_track(MpdClient& client, const PathMap& paths) {
    const MpdStatus status = client.status();
    const std::vector<std::string> queue = client.queue();
    if (!status.song_position || *status.song_position >= queue.size()) {
        throw std::runtime_error("MPD at " + client.endpoint().describe() + " has no current song");
    }
    const std::string& uri = queue[*status.song_position];
    if (auto track = paths.to_path(uri)) return *track;
    throw std::runtime_error("MPD's current song " + uri + " is not a file of " + paths.music_directory().string());
}

}  // namespace vibed::daemon::mpd
