#include "daemon/cli/radio_arguments.hpp"

#include <algorithm>
#include <set>

#include "daemon/app/similarity_search.hpp"
#include "daemon/mpd/queue_loader.hpp"
#include "playlist/query/parser.hpp"
#include "playlist/query/query_error.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

// A seed argument is a file when it exists or looks like a path, else a query.
bool names_a_file(const std::string& argument) {
    std::error_code error;
    return fs::exists(argument, error) || argument.find('/') != std::string::npos;
}

}  // namespace

void add_radio_options(CLI::App& command, RadioArguments& arguments) {
    command.add_option("--limit", arguments.limit, "A track count (40, the default) or a duration (60m, 1h30m)");
    command.add_option("--where", arguments.where, "A query every track after the seeds matches, e.g. 'bpm > 100'");
    command.add_option("--artist-gap", arguments.artist_gap, "No artist twice within this many tracks (default 3)");
    command.add_flag("--current", arguments.current, "Start at the song MPD plays now (its first seed)");
}

std::optional<playlist::Limit> parse_limit_option(const std::string& text) {
    if (text.empty()) return std::nullopt;
    try {
        return playlist::parse_limit(text);
    } catch (const playlist::QueryError&) {
        throw std::runtime_error("--limit " + text + ": expected a track count (40) or a duration (60m, 1h30m)");
    }
}

fs::path track_path(const std::string& argument) { return fs::absolute(argument).lexically_normal(); }

QueueContext current_song_context(const config::Config& config) {
    mpd::MpdSession mpd = mpd::open_session(config);
    return {mpd::current_track(mpd.client, mpd.paths), {}};
}

Radio build_radio_from(LibraryAccess& library, const RadioArguments& arguments, const QueueContext& queue) {
    const std::int64_t model_id = require_model(library);
    const SimilaritySpace space = find_similarity_space(library.index, model_id, library.config);
    RadioRequest request;
    if (queue.current) request.seeds.push_back(*queue.current);
    for (const auto& seed : arguments.seeds) {
        request.seeds.push_back(names_a_file(seed) ? track_path(seed)
                                                   : seed_from_query(library.index, space, seed));
    }
    if (request.seeds.empty()) throw std::runtime_error("a radio needs a seed track or --current");
    request.where = arguments.where;
    request.exclude = queue.staying;
    request.options.limit = parse_limit_option(arguments.limit);
    request.options.artist_gap = arguments.artist_gap;
    // Seeds already queued stay where they are: when all are, the radio is
    // only the picks (and --limit counts only those).
    const std::set<fs::path> staying(queue.staying.begin(), queue.staying.end());
    const bool seeds_queued = std::all_of(request.seeds.begin(), request.seeds.end(),
                                          [&](const fs::path& seed) { return staying.contains(seed); });
    request.options.include_seeds = !seeds_queued;
    Radio radio{build_radio(library.index, space, request), seeds_queued ? 0 : request.seeds.size(),
                request.seeds.front()};
    const auto queued = std::remove_if(radio.tracks.begin(), radio.tracks.end(),
                                       [&](const core::LibraryRow& row) { return staying.contains(row.path); });
    radio.seeds -= static_cast<std::size_t>(radio.tracks.end() - queued);
    radio.tracks.erase(queued, radio.tracks.end());
    return radio;
}

std::string radio_shortfall(const Radio& radio, const RadioArguments& arguments) {
    if (radio.tracks.size() > radio.seeds) return {};
    return arguments.where.empty() ? "no other track has a similarity vector yet"
                                   : "no other track matches --where `" + arguments.where + "`";
}

}  // namespace vibed::daemon
