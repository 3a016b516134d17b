#pragma once
// From a configured playlist to its tracks and its files: parses the rule,
// runs it against the index, applies shuffle/spread/limit and writes the M3U
// files of every output target. Shared by vibed and vibectl.

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/index.hpp"
#include "playlist/m3u/m3u_writer.hpp"
#include "playlist/query/ast.hpp"

namespace vibed::daemon {

// The playlist's rule as one query: its query plus its sort, shuffle and limit
// settings as clauses. Throws playlist::QueryError.
playlist::Query playlist_query(const config::PlaylistDefinition& definition, std::string& query_text);

struct BuiltPlaylist {
    std::string query_text;
    std::size_t matches = 0;                // tracks the rule matched before limits
    std::vector<db::LibraryRow> tracks;     // what the playlist holds, in order
};

// Throws playlist::QueryError for a bad rule, db errors as they come.
BuiltPlaylist build_playlist(db::Index& index, std::int64_t model_id, const config::Config& config,
                             const config::PlaylistDefinition& definition, std::uint64_t draw);

// A configured output as the M3U writer wants it. Relative-to-library paths
// are relative to the first library folder (MPD's music_directory).
playlist::OutputTarget output_target(const config::OutputTarget& output, const config::Config& config);

struct PublishReport {
    std::size_t written = 0;    // files whose content changed
    std::size_t unchanged = 0;
    std::vector<std::string> problems;  // one line each, already naming the playlist or file
};

// Builds every configured playlist and writes it to every output target;
// removes the files of playlists no longer configured (only those vibed wrote).
PublishReport publish_playlists(db::Index& index, std::int64_t model_id, const config::Config& config,
                                const std::filesystem::path& draws_file);

// The user's "new draw" counters, one per playlist slug, kept in a small JSON
// file next to the database so a reshuffle survives restarts.
std::uint64_t read_draw(const std::filesystem::path& draws_file, const std::string& playlist_slug);
void bump_draw(const std::filesystem::path& draws_file, const std::string& playlist_slug);
std::filesystem::path draws_file_for(const std::filesystem::path& database);

}  // namespace vibed::daemon
