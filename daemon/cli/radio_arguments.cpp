#include "daemon/cli/radio_arguments.hpp"

#include "daemon/app/similarity_search.hpp"
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

Radio build_radio_from(LibraryAccess& library, const RadioArguments& arguments) {
    const std::int64_t model_id = require_model(library);
    const SimilaritySpace space = find_similarity_space(library.index, model_id, library.config);
    RadioRequest request;
    for (const auto& seed : arguments.seeds) {
        request.seeds.push_back(names_a_file(seed) ? track_path(seed)
                                                   : seed_from_query(library.index, space, seed));
    }
    request.where = arguments.where;
    request.options.limit = parse_limit_option(arguments.limit);
    request.options.artist_gap = arguments.artist_gap;
    return {build_radio(library.index, space, request), request.seeds.size()};
}

std::string radio_shortfall(const Radio& radio, const RadioArguments& arguments) {
    if (radio.tracks.size() > radio.seeds) return {};
    return arguments.where.empty() ? "no other track has a similarity vector yet"
                                   : "no other track matches --where `" + arguments.where + "`";
}

}  // namespace vibed::daemon
