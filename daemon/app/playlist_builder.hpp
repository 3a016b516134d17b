#pragma once
// From a configured playlist to its tracks and its files: builds the rule's
// query tree, runs it against the index, applies shuffle/spread/limit and
// writes the M3U files of every output target. Shared by vibed and vibectl.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "db/index.hpp"
#include "playlist/m3u/m3u_writer.hpp"
#include "playlist/query/ast.hpp"

namespace vibed::daemon {

// config::load_config() plus check_rules(): what vibed loads at
// start-up and on reload, so a bad query stops it with the file's position
// (and a bad reload keeps the old config). Throws config::ConfigError.
config::Config load_checked_config(const std::optional<std::filesystem::path>& path);

struct BuiltPlaylist {
    std::string query_text;                 // the rule, printed back as one query
    std::size_t matches = 0;                // tracks the rule matched before limits
    std::vector<core::LibraryRow> tracks;     // what the playlist holds, in order
};

// Throws config::ConfigError for a bad rule, db errors as they come.
BuiltPlaylist build_playlist(db::Index& index, std::int64_t model_id, const config::Config& config,
                             const config::PlaylistDefinition& definition, std::uint64_t draw);

struct PublishReport {
    std::size_t written = 0;    // files whose content changed
    std::size_t unchanged = 0;
    std::size_t failed = 0;     // files that could not be written
    std::vector<std::filesystem::path> removed;  // files of playlists no longer configured
    std::vector<std::filesystem::path> removed_temporaries;  // left by a writer that died mid-write
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
