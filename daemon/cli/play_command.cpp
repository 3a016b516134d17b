#include "daemon/cli/play_command.hpp"

#include <cstdio>
#include <optional>

#include "daemon/cli/library_access.hpp"
#include "daemon/cli/radio_arguments.hpp"
#include "daemon/cli/track_listing.hpp"
#include "daemon/mpd/queue_loader.hpp"
#include "playlist/query/parser.hpp"
#include "playlist/query/text.hpp"
#include "playlist/query/query_error.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

struct PlayOptions {
    std::vector<std::string> words;  // a playlist name or a query, maybe unquoted; or "radio" and seeds
    bool append = false;
    RadioArguments radio;  // its options (the seeds come from `words`)
};

// What to play: the tracks and how to name them in messages.
struct PlayChoice {
    std::string description;  // "'Driving Vibes'" or "the query `energy > 0.7`"
    std::vector<fs::path> tracks;
};

std::vector<fs::path> paths_of(const std::vector<core::LibraryRow>& rows) {
    std::vector<fs::path> paths;
    paths.reserve(rows.size());
    for (const auto& row : rows) paths.push_back(row.path);
    return paths;
}

bool radio_options_given(const RadioArguments& radio) {
    return !radio.limit.empty() || !radio.where.empty() || radio.artist_gap != RadioArguments{}.artist_gap ||
           radio.current;
}

// "radio SEED..." or "radio --current" (unless a playlist has that name).
bool asks_for_radio(const LibraryAccess& library, const PlayOptions& options) {
    if (options.words.empty() || options.words.front() != "radio") return false;
    if (options.words.size() == 1 && !options.radio.current) return false;
    return config::find_playlist(library.config, query_from_words(options.words)) == nullptr;
}

// The songs a radio must not queue again: with --append the whole queue, with
// --current (the rest of the queue is replaced) the current song.
mpd::QueueMode radio_queue_mode(const PlayOptions& options) {
    if (options.append) return mpd::QueueMode::append;
    return options.radio.current ? mpd::QueueMode::after_current : mpd::QueueMode::replace;
}

// "radio SEED...": a radio from those seeds, as `vibectl radio` builds it,
// leaving out what stays in MPD's queue.
PlayChoice choose_radio(LibraryAccess& library, const PlayOptions& options, mpd::MpdSession& mpd) {
    RadioArguments arguments = options.radio;
    arguments.seeds.assign(options.words.begin() + 1, options.words.end());
    QueueContext queue;
    if (arguments.current) queue.current = mpd::current_track(mpd.client, mpd.paths);
    if (options.append) {
        queue.staying = mpd::queued_tracks(mpd.client, mpd.paths);
    } else if (queue.current) {
        queue.staying = {*queue.current};
    }
    const Radio radio = build_radio_from(library, arguments, queue);
    if (const std::string shortfall = radio_shortfall(radio, arguments); !shortfall.empty()) {
        std::fprintf(stderr, "vibectl: %s\n", shortfall.c_str());
    }
    const std::string seed = radio.seeds > 0 ? display_name(radio.tracks.front())
                                             : playlist::printable_text(radio.first_seed.stem().string());
    PlayChoice choice{"the radio from " + seed, paths_of(radio.tracks)};
    if (choice.tracks.empty()) choice.description += " (all of it is queued already)";
    return choice;
}

// A configured playlist's name (or alias) wins; anything else must be a query.
PlayChoice choose(LibraryAccess& library, const PlayOptions& options) {
    const std::string target = query_from_words(options.words);
    if (radio_options_given(options.radio)) {
        throw std::runtime_error(
            "--limit, --where, --artist-gap and --current are for `vibectl play radio SEED...` (or radio --current)");
    }
    if (const auto* definition = config::find_playlist(library.config, target)) {
        return {"'" + definition->name + "'", paths_of(build_named(library, *definition).tracks)};
    }
    try {
        playlist::parse_query(target);
    } catch (const playlist::QueryError& e) {
        std::string known;
        for (const auto& definition : library.config.playlist_definitions) {
            known += (known.empty() ? "" : ", ") + definition.name;
        }
        throw std::runtime_error("'" + target + "' is neither a playlist (configured: " + known + ") nor a query:\n" +
                                 playlist::render_query_error(target, e));
    }
    QuerySelection selection = select_by_query(library, target);
    return {"the query `" + target + "`", paths_of(selection.tracks)};
}

const char* what_was_done(mpd::QueueMode mode) {
    switch (mode) {
        case mpd::QueueMode::append: return "appended";
        case mpd::QueueMode::after_current: return "kept the current song, then queued";
        case mpd::QueueMode::replace: break;
    }
    return "queue replaced with";
}

void run_play(CliContext& context, const PlayOptions& options) {
    LibraryAccess library = open_library(context, ConfigUse::acting);  // it changes MPD's queue
    std::optional<mpd::MpdSession> mpd;
    mpd::QueueMode mode = options.append ? mpd::QueueMode::append : mpd::QueueMode::replace;
    PlayChoice choice;
    if (asks_for_radio(library, options)) {
        mpd.emplace(mpd::open_session(library.config));  // the radio depends on the queue
        mode = radio_queue_mode(options);
        choice = choose_radio(library, options, *mpd);
    } else {
        choice = choose(library, options);
    }
    if (choice.tracks.empty()) throw std::runtime_error(choice.description + " holds no tracks; MPD's queue is unchanged");
    if (!mpd) mpd.emplace(mpd::open_session(library.config));

    std::size_t warnings = 0;
    const auto warn = [&](const fs::path&, const std::string& line) {
        ++warnings;
        std::fprintf(stderr, "vibectl: %s\n", line.c_str());
    };
    const mpd::QueueOutcome outcome = mpd::put_in_queue(mpd->client, mpd->paths, choice.tracks, mode, warn);
    std::printf("MPD at %s: %s %zu tracks of %s%s\n", mpd->client.endpoint().describe().c_str(), what_was_done(mode),
                outcome.added, choice.description.c_str(), outcome.started ? "; playing" : "");
    if (outcome.skipped > 0) {
        std::fprintf(stderr, "vibectl: %zu tracks skipped (MPD's music_directory: %s, from %s)\n", outcome.skipped,
                     mpd->music.path.c_str(), mpd->music.origin.c_str());
        context.exit_code = 3;  // played, but not everything
    }
}

}  // namespace

void add_play_command(CLI::App& app, CliContext& context) {
    auto* play = app.add_subcommand(
        "play", "Play a named playlist, a query's tracks or a radio (radio SEED...) in MPD (replacing its queue)");
    auto options = std::make_shared<PlayOptions>();
    play->add_option("target", options->words,
                     "Playlist name or alias, a query (quoted or not), or radio and its seeds (paths or queries; --current: MPD's song)")
        ->required();
    play->add_flag("-a,--append", options->append, "Append to MPD's queue instead of replacing it");
    add_radio_options(*play, options->radio);
    play->callback([&context, options] { run_play(context, *options); });
}

}  // namespace vibed::daemon
