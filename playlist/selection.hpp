#pragma once
// Turns the rows a query matched (in SQL order) into the tracks a playlist
// holds: dedupe, stable shuffle, limit, cap, artist spread. Pure and
// deterministic: the same rows and options always give the same playlist.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/library/library_row.hpp"
#include "playlist/query/ast.hpp"

namespace vibed::playlist {

// MPD refuses to load more than this many entries by default
// (max_playlist_length).
inline constexpr std::size_t kDefaultMaxEntries = 16384;

struct SelectionOptions {
    // Seeds the shuffle together with `draw`; normally the playlist's name.
    std::string seed;
    // Bumped by the user to ask for a new shuffle of the same playlist.
    std::uint64_t draw = 0;
    // Avoid the same artist twice in a row where the tracks allow it.
    bool artist_spread = false;
    std::size_t max_entries = kDefaultMaxEntries;
};

// Steps, in order:
//  1. dedupe: a path appears once (its first occurrence wins);
//  2. shuffle without `sort by`: order by a hash of (seed, draw, path), so a
//     new track lands in one place instead of reshuffling everything;
//  3. limit: a count keeps the first N; a duration keeps tracks in order
//     while they fit, skipping any that would overflow the total;
//  4. cap at max_entries;
//  5. shuffle with `sort by`: the sort chose the tracks, the shuffle orders them;
//  6. artist spread.
std::vector<core::LibraryRow> select_tracks(std::vector<core::LibraryRow> rows, const Query& query,
                                          const SelectionOptions& options);

// The shuffle key of one track: stable across runs, machines and versions.
std::uint64_t shuffle_key(const std::string& seed, std::uint64_t draw, const std::string& path);

// Reorders so no two neighbours share an artist (compared ignoring case, as
// `artist:` matches; tracks without an artist never clash) wherever the counts allow,
// otherwise with as few repeats as possible. Keeps the given order as far
// as that permits.
std::vector<core::LibraryRow> spread_artists(std::vector<core::LibraryRow> tracks);

}  // namespace vibed::playlist
