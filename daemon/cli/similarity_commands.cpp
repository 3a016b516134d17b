#include "daemon/cli/similarity_commands.hpp"

#include <cstdio>
#include <iostream>
#include <sstream>

#include "daemon/cli/library_access.hpp"
#include "daemon/cli/radio_arguments.hpp"
#include "daemon/cli/track_listing.hpp"
#include "daemon/app/similarity_search.hpp"
#include "core/util/atomic_file.hpp"
#include "playlist/m3u/m3u_writer.hpp"
#include "playlist/query/parser.hpp"
#include "playlist/query/query_error.hpp"
#include "playlist/query/text.hpp"
#include "daemon/app/day_curve.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

void note(const std::string& message) {
    std::fprintf(stderr, "vibectl: %s\n", playlist::printable_text(message).c_str());
}

struct ListOptions {
    std::string format = "table";
    std::string output;  // an M3U file to write, or empty
    std::string path_style = "absolute";  // of its entries (and of -f m3u)
};

// Prints the playlist (unless only written to a file) and writes `output`.
void deliver(const std::vector<core::LibraryRow>& rows, const std::string& name, const ListOptions& options,
             ListingStyle style) {
    double seconds = 0;
    for (const auto& row : rows) seconds += row.tags.duration_seconds;
    std::fprintf(stderr, "%s: %zu tracks (%s)\n", name.c_str(), rows.size(), format_duration(seconds).c_str());
    style.m3u_paths = parse_path_style(options.path_style);
    if (!options.output.empty()) {
        std::ostringstream text;
        ListingStyle file_style = style;
        file_style.m3u_folder = fs::absolute(track_path(options.output)).parent_path();
        write_track_list(text, TrackFormat::m3u, rows, {}, name, file_style);
        util::write_file_atomically(track_path(options.output), text.str());
        std::fprintf(stderr, "wrote %s\n", track_path(options.output).c_str());
    }
    write_track_list(std::cout, parse_track_format(options.format), rows, {}, name, style);
}

struct Session {
    LibraryAccess library;
    SimilaritySpace space;
};

Session open_session(const CliContext& context) {
    LibraryAccess library = open_library(context);
    const std::int64_t model_id = require_model(library);
    SimilaritySpace space = find_similarity_space(library.index, model_id, library.config);
    return {std::move(library), std::move(space)};
}

// ---- similar ----------------------------------------------------------------

struct SimilarOptions {
    std::string track;
    std::size_t count = 20;
    ListOptions list;
};

void run_similar(const CliContext& context, const SimilarOptions& options) {
    Session session = open_session(context);
    const auto similar = similar_tracks(session.library.index, session.space, track_path(options.track), options.count);
    if (similar.empty()) note("no other track has a similarity vector yet");
    const ListingStyle style = listing_style(session.library.config);
    if (options.list.format != "table" || !options.list.output.empty()) {
        std::vector<core::LibraryRow> rows;
        for (const auto& track : similar) rows.push_back(track.row);
        deliver(rows, "Like " + fs::path(options.track).stem().string(), options.list, style);
        return;
    }
    if (!similar.empty()) std::printf("   #  distance   length  track\n");
    std::size_t position = 0;
    for (const auto& track : similar) {
        char prefix[64];
        std::snprintf(prefix, sizeof prefix, "%4zu  %8.3f  %7s  ", ++position, track.distance,
                      format_duration(track.row.tags.duration_seconds).c_str());
        std::printf("%s\n", fitted_row(prefix + track_cell(track.row, style), style).c_str());
    }
}

// ---- radio ------------------------------------------------------------------

struct RadioCommandOptions {
    RadioArguments radio;
    ListOptions list;
};

void run_radio(const CliContext& context, const RadioCommandOptions& options) {
    LibraryAccess library = open_library(context);
    const QueueContext queue = options.radio.current ? current_song_context(library.config) : QueueContext{};
    const Radio radio = build_radio_from(library, options.radio, queue);
    if (const std::string shortfall = radio_shortfall(radio, options.radio); !shortfall.empty()) note(shortfall);
    deliver(radio.tracks, "Radio: " + display_name(radio.tracks.front()), options.list, listing_style(library.config));
}

// ---- journey ----------------------------------------------------------------

struct JourneyCommandOptions {
    std::string from_track;
    std::string to_track;
    std::string from_mood;
    std::string to_mood;
    std::string limit;
    std::string until;  // "23:00": the journey lasts from now until then
    std::string where;
    std::size_t artist_gap = 3;
    ListOptions list;
};

// From now until the next `until` o'clock (local time), as a duration limit.
playlist::Limit limit_until(const std::string& until) {
    const auto end = config::parse_time_of_day(until);
    if (!end) throw std::runtime_error("--until " + until + ": expected a time of day, HH:MM (e.g. 23:00)");
    const auto now = std::chrono::system_clock::now();
    const auto since_midnight = std::chrono::duration_cast<std::chrono::seconds>(local_time_of_day(now)) +
                                std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()) % 60;
    auto left = std::chrono::duration_cast<std::chrono::seconds>(*end) - since_midnight;
    if (left <= std::chrono::seconds(0)) left += std::chrono::hours(24);  // 23:00 asked at 23:30: tomorrow's
    std::fprintf(stderr, "until %s: %s from now\n", until.c_str(), format_duration(static_cast<double>(left.count())).c_str());
    return playlist::Limit{playlist::Limit::Kind::Duration, 0, playlist::Number{static_cast<double>(left.count()), 's'}};
}

// Without --from, a mood journey starts where the day curve is now, or at steady.
std::optional<playlist::MoodPoint> default_start(const config::Config& config, std::string& name) {
    const auto& curve = config.mpd_client.day_curve;
    if (curve.empty()) {
        name = "steady";
        return playlist::mood_point(name);
    }
    name = "the day curve's mood now";
    return day_curve_target(curve, local_time_of_day(std::chrono::system_clock::now()));
}

void run_journey(const CliContext& context, const JourneyCommandOptions& options) {
    const bool by_tracks = !options.from_track.empty() || !options.to_track.empty();
    if (by_tracks && (!options.from_mood.empty() || !options.to_mood.empty())) {
        throw std::runtime_error("give either two tracks or --from and --to moods, not both");
    }
    Session session = open_session(context);
    JourneyRequest request;
    if (by_tracks) {
        request.from_track = track_path(options.from_track);
        if (options.to_track.empty()) throw std::runtime_error("a journey between tracks needs an end track too");
        request.to_track = track_path(options.to_track);
    }
    request.from_mood = options.from_mood;
    request.to_mood = options.to_mood;
    std::string from_name = options.from_mood;
    if (!by_tracks && from_name.empty()) request.from_point = default_start(session.library.config, from_name);
    request.where = options.where;
    if (!options.until.empty() && !options.limit.empty()) throw std::runtime_error("give --limit or --until, not both");
    request.options.limit = options.until.empty() ? parse_limit_option(options.limit) : limit_until(options.until);
    request.options.artist_gap = options.artist_gap;
    const auto rows = build_journey(session.library.index, session.space, request);
    const std::string name = by_tracks ? "Journey: " + display_name(rows.front()) + " to " + display_name(rows.back())
                                       : "Journey: " + from_name + " to " + options.to_mood;
    deliver(rows, name, options.list, listing_style(session.library.config));
}

void add_list_options(CLI::App& command, ListOptions& list) {
    command.add_option("-f,--format", list.format, std::string(kTrackFormatHelp))
        ->check(CLI::IsMember({"table", "csv", "json", "paths", "m3u"}));
    command.add_option("-o,--output", list.output, "Also write the playlist to this M3U file");
    command.add_option("--path-style", list.path_style, std::string(kPathStyleHelp))->check(CLI::IsMember(path_style_names()));
}

}  // namespace

void add_similarity_commands(CLI::App& app, CliContext& context) {
    auto* similar = app.add_subcommand("similar", "The tracks that sound most like one track");
    auto similar_options = std::make_shared<SimilarOptions>();
    similar->add_option("track", similar_options->track, "Path of an indexed file")->required();
    similar->add_option("-n,--count", similar_options->count, "How many (default 20)")->check(CLI::Range(1, 10000));
    add_list_options(*similar, similar_options->list);
    similar->callback([&context, similar_options] { run_similar(context, *similar_options); });

    auto* radio = app.add_subcommand("radio", "A playlist that starts at a track and keeps to tracks like the last ones");
    auto radio_options = std::make_shared<RadioCommandOptions>();
    radio->add_option("seed", radio_options->radio.seeds,
                      "Seed tracks (paths), or a query whose most typical match is the seed (or --current)");
    add_radio_options(*radio, radio_options->radio);
    add_list_options(*radio, radio_options->list);
    radio->callback([&context, radio_options] { run_radio(context, *radio_options); });

    auto* journey = app.add_subcommand(
        "journey", "From one track to another (FROM TO), or from one mood to another (--from calm --to energetic)");
    auto journey_options = std::make_shared<JourneyCommandOptions>();
    journey->add_option("from_track", journey_options->from_track, "The first track (path)");
    journey->add_option("to_track", journey_options->to_track, "The last track (path)");
    journey->add_option("--from", journey_options->from_mood,
                        "The mood to start at: " + playlist::mood_point_names() +
                            " (default: the day curve's mood now, else steady)");
    journey->add_option("--to", journey_options->to_mood, "The mood to end at");
    journey->add_option("--limit", journey_options->limit, "A track count (12, the default) or a duration (45m)");
    journey->add_option("--until", journey_options->until, "End at this time of day (23:00): as long as from now until then");
    journey->add_option("--where", journey_options->where, "A query every step matches");
    journey->add_option("--artist-gap", journey_options->artist_gap, "No artist twice within this many tracks (default 3)");
    add_list_options(*journey, journey_options->list);
    journey->callback([&context, journey_options] { run_journey(context, *journey_options); });
}

}  // namespace vibed::daemon
