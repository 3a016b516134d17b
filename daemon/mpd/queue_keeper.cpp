#include "daemon/mpd/queue_keeper.hpp"

#include "core/util/counted.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "core/util/backoff.hpp"
#include "daemon/mpd/queue_loader.hpp"

namespace vibed::daemon::mpd {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr util::Backoff kReconnect{std::chrono::milliseconds(1000), std::chrono::milliseconds(60'000)};
// Idle returns at least this often, so a missed event costs a minute at most.
constexpr auto kIdleLimit = std::chrono::milliseconds(60'000);
// Shorter than vibectl's: the daemon's shutdown waits for it.
constexpr auto kKeeperUpdateWait = std::chrono::milliseconds(10'000);
// The last tracks of the queue that the new ones should be like.
constexpr std::size_t kSeedTracks = 5;
// Rounds of asking for more when MPD could play none of the suggestions.
constexpr int kSuggestRounds = 3;
constexpr std::size_t kMaxHistory = 10'000;
constexpr const char* kContentArea = "keep playing";

}  // namespace

QueueKeeper::QueueKeeper(std::shared_ptr<const config::Config> config, std::int64_t model_id, util::ProblemSink& problems,
                         Suggest suggest)
    : problems_(problems), suggest_(std::move(suggest)), settings_{std::move(config), model_id, 0} {
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "keep playing: eventfd");
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

QueueKeeper::~QueueKeeper() {
    thread_.request_stop();
    wake();
    if (thread_.joinable()) thread_.join();
    ::close(wake_fd_);
}

void QueueKeeper::update(std::shared_ptr<const config::Config> config, std::int64_t model_id) {
    {
        std::lock_guard lock(mutex_);
        settings_ = Settings{std::move(config), model_id, settings_.generation + 1};
    }
    wake();
}

QueueKeeper::Summary QueueKeeper::summary() const {
    std::lock_guard lock(mutex_);
    return summary_;
}

QueueKeeper::Settings QueueKeeper::settings() const {
    std::lock_guard lock(mutex_);
    return settings_;
}

void QueueKeeper::wake() const {
    const std::uint64_t one = 1;
    // Only fails when the counter is full, and then the thread wakes anyway.
    [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
}

bool QueueKeeper::pause(std::chrono::milliseconds delay, std::stop_token stop) {
    if (stop.stop_requested()) return false;
    pollfd wake{wake_fd_, POLLIN, 0};
    while (::poll(&wake, 1, static_cast<int>(delay.count())) < 0 && errno == EINTR) {
    }
    std::uint64_t count = 0;
    while (::read(wake_fd_, &count, sizeof count) > 0) {
    }
    return !stop.stop_requested();
}

db::Index& QueueKeeper::index(const config::Config& config) {
    if (!index_) index_.emplace(db::Index::open_readonly(config.database.path));
    return *index_;
}

void QueueKeeper::run(std::stop_token stop) {
    util::Backoff backoff = kReconnect;
    while (!stop.stop_requested()) {
        const Settings current = settings();
        if (!current.config->mpd_client.keep_playing) {
            problems_.clear(kProblemArea);
            problems_.clear(kContentArea);
            if (!pause(std::chrono::hours(1), stop)) return;
            continue;
        }
        try {
            MpdClient client = connect_first(current.config->mpd_client);
            backoff.succeeded();
            serve(client, current, stop);
        } catch (const MpdError& error) {
            problems_.report(kProblemArea, std::string(error.what()) + "; keep_playing keeps trying");
        } catch (const std::exception& error) {
            problems_.report(kProblemArea, std::string("keep_playing: ") + error.what() + "; it keeps trying");
        }
        {
            std::lock_guard lock(mutex_);
            summary_.mpd.clear();
        }
        if (settings().generation != current.generation) continue;  // reconnect with the new settings at once
        if (!pause(backoff.failed(), stop)) return;
    }
}

void QueueKeeper::serve(MpdClient& client, const Settings& settings, std::stop_token stop) {
    const MusicDirectory music = find_music_directory(*settings.config, client);
    const PathMap paths(music.path);
    problems_.clear(kProblemArea);
    spdlog::info("keep playing: watching MPD at {} (its music_directory {}, from {})", client.endpoint().describe(),
                 music.path.string(), music.origin);
    {
        std::lock_guard lock(mutex_);
        summary_.mpd = "MPD at " + client.endpoint().describe();
    }
    while (!stop.stop_requested() && this->settings().generation == settings.generation) {
        top_up(client, paths, settings);
        client.wait_for_change(kIdleLimit, wake_fd_);
        std::uint64_t count = 0;
        while (::read(wake_fd_, &count, sizeof count) > 0) {
        }
    }
}

void QueueKeeper::remember_played(const fs::path& track) {
    played_.emplace_back(track, std::chrono::system_clock::now());
    while (played_.size() > kMaxHistory) played_.pop_front();
}

std::set<fs::path> QueueKeeper::recently_played(std::chrono::hours window) {
    const auto since = std::chrono::system_clock::now() - window;
    while (!played_.empty() && played_.front().second < since) played_.pop_front();
    std::set<fs::path> recent;
    for (const auto& [track, when] : played_) recent.insert(track);
    return recent;
}

void QueueKeeper::top_up(MpdClient& client, const PathMap& paths, const Settings& settings) {
    const config::MpdClientConfig& mpd = settings.config->mpd_client;
    const MpdStatus status = client.status();
    if (!status.song_position) return;
    const std::vector<std::string> queue = client.queue();
    const unsigned position = *status.song_position;
    if (position >= queue.size()) return;  // the queue changed between the two requests: the next event says how
    if (status.state == MpdStatus::State::playing && queue[position] != current_song_uri_) {
        current_song_uri_ = queue[position];
        if (auto track = paths.to_path(current_song_uri_)) remember_played(*track);
    }
    // Paused or stopped: the user's choice. Repeat never runs out; with random
    // there is no "after the current one".
    if (status.state != MpdStatus::State::playing || status.repeat || status.random) return;
    const std::size_t following = queue.size() - position - 1;
    if (following > mpd.low_water) return;

    std::vector<fs::path> seeds;
    std::set<fs::path> excluded = recently_played(mpd.no_repeat);
    for (auto uri = queue.rbegin(); uri != queue.rend(); ++uri) {
        const auto track = paths.to_path(*uri);
        if (!track) continue;
        excluded.insert(*track);
        if (seeds.size() < kSeedTracks) seeds.push_back(*track);
    }
    std::reverse(seeds.begin(), seeds.end());
    if (seeds.empty()) {
        problems_.report(kContentArea, "MPD's queue holds no track of " + paths.music_directory().string() +
                                           " to go on from; nothing appended");
        return;
    }
    excluded.insert(unplayable_.begin(), unplayable_.end());
    append_like(client, paths, settings, seeds, excluded);
}

void QueueKeeper::append_like(MpdClient& client, const PathMap& paths, const Settings& settings,
                              const std::vector<fs::path>& seeds, std::set<fs::path>& excluded) {
    const config::MpdClientConfig& mpd = settings.config->mpd_client;
    std::size_t added = 0;
    try {
        db::Index& library = index(*settings.config);
        for (int round = 0; round < kSuggestRounds && added < mpd.add_tracks; ++round) {
            const auto suggestions = suggest_(library, *settings.config, settings.model_id, seeds, excluded, mpd.add_tracks - added);
            if (suggestions.empty()) break;
            excluded.insert(suggestions.begin(), suggestions.end());
            const auto warn = [this](const fs::path& track, const std::string& line) {
                if (unplayable_.insert(track).second) spdlog::warn("keep playing: {}", line);
            };
            try {
                added += put_in_queue(client, paths, suggestions, QueueMode::append, warn, kKeeperUpdateWait).added;
            } catch (const MpdError&) {
                throw;  // the connection's trouble: reconnect
            } catch (const std::runtime_error&) {
                // None of them could be played (each already warned about): ask again.
            }
        }
    } catch (const MpdError&) {
        throw;
    } catch (const db::DatabaseError& error) {
        index_.reset();  // reopened next time: the file may have been replaced
        problems_.report(kContentArea, std::string("cannot read the index: ") + error.what());
        return;
    } catch (const std::exception& error) {
        problems_.report(kContentArea, std::string("no tracks to append: ") + error.what());
        return;
    }
    if (added == 0) {
        problems_.report(kContentArea, "no track like the last ones is left to append (all similar ones are queued, "
                                       "played in the last " + std::to_string(mpd.no_repeat.count()) +
                                           " h, or not playable by MPD)");
        return;
    }
    problems_.clear(kContentArea);
    spdlog::info("keep playing: appended {} like {}", util::counted(added, "track"), seeds.back().filename().string());
    std::lock_guard lock(mutex_);
    summary_.appended += added;
}

}  // namespace vibed::daemon::mpd
