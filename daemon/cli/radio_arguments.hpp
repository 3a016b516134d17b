#pragma once
// A radio as vibectl's command line asks for it: seeds (paths, or queries
// whose most typical match is the seed), a limit, a filter, an artist gap.
// One definition for `vibectl radio` and `vibectl play radio`.

#include <CLI/CLI.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "daemon/cli/library_access.hpp"
#include "db/index.hpp"
#include "playlist/query/ast.hpp"

namespace vibed::daemon {

struct RadioArguments {
    std::vector<std::string> seeds;
    std::string limit;  // "40" or "60m"; empty: the radio's default
    std::string where;
    std::size_t artist_gap = 3;
    bool current = false;  // --current: MPD's current song is the first seed
};

// Adds --limit, --where, --artist-gap and --current to `command`.
void add_radio_options(CLI::App& command, RadioArguments& arguments);

// "--limit TEXT" as a playlist limit; nullopt for empty text. Throws
// std::runtime_error saying what a limit looks like.
std::optional<playlist::Limit> parse_limit_option(const std::string& text);

// A command-line path as the index stores it.
std::filesystem::path track_path(const std::string& argument);

struct Radio {
    std::vector<core::LibraryRow> tracks;  // the seeds first (those not queued already), then the picks
    std::size_t seeds = 0;                 // how many of `tracks` are seeds
    std::filesystem::path first_seed;
};

// What MPD's queue adds to a radio: the song it plays now, the first seed
// when --current is given, and the songs that stay queued, which the radio
// leaves out (seeds among them too), so nothing is queued twice.
struct QueueContext {
    std::optional<std::filesystem::path> current;
    std::vector<std::filesystem::path> staying;
};

// For --current: MPD's current song from the first MPD that answers.
QueueContext current_song_context(const config::Config& config);

// The radio `arguments` describe, over the configured similarity space.
// Throws std::runtime_error with one line for a seed that cannot be used
// (not indexed, pending, failed, no vector), a bad query or a bad limit.
Radio build_radio_from(LibraryAccess& library, const RadioArguments& arguments, const QueueContext& queue = {});

// The note vibectl prints when a radio holds only its seeds; empty otherwise.
std::string radio_shortfall(const Radio& radio, const RadioArguments& arguments);

}  // namespace vibed::daemon
