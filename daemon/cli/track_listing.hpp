#pragma once
// Prints lists of indexed tracks for vibectl (tracks, playlist).

#include <filesystem>
#include <optional>
#include <string>
#include <ostream>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "db/index.hpp"
#include "playlist/query/ast.hpp"
#include "playlist/query/fields.hpp"

#include <nlohmann/json.hpp>

namespace vibed::daemon {

// table: position, length, the columns asked for, "artist - title", path;
// csv/json: every tag and attribute; paths: one absolute path per line (for
// `mpc add`, `xargs`); m3u: a playlist file with absolute paths.
enum class TrackFormat { table, csv, json, paths, m3u };
inline constexpr std::string_view kTrackFormatHelp =
    "table (the values the query uses as columns), csv or json (every tag and attribute), "
    "paths (one per line, for mpc add or xargs), m3u (a playlist file)";

// Throws std::invalid_argument for any other name.
TrackFormat parse_track_format(std::string_view name);

// The fields a query's filter and sort use, in order of first use, without
// those the table shows anyway (artist, title, path): the table's columns.
std::vector<const playlist::Field*> query_columns(const playlist::Query& query);

// How lists show tracks: a table row fits `width` terminal columns (0: no
// limit) and names its file relative to the library folder holding it.
struct ListingStyle {
    std::vector<std::filesystem::path> library_roots;
    std::size_t width = 0;
    // M3U entries (-f m3u, -o FILE), as an [[output]]'s path_style says;
    // relative-to-playlist ones are relative to m3u_folder (empty: the
    // current folder), relative-to-library ones to the library folder.
    config::PathStyle m3u_paths = config::PathStyle::absolute;
    std::filesystem::path m3u_folder;
};

// The --path-style option of every command that writes M3U.
inline constexpr std::string_view kPathStyleHelp =
    "M3U entries: absolute (MPD, Navidrome), relative-to-playlist, relative-to-library (MPD), "
    "uri (VLC: names with '#' or '?')";
// Throws std::invalid_argument for a name that is not one of path_style_names().
config::PathStyle parse_path_style(std::string_view name);
std::vector<std::string> path_style_names();
// The configuration's library; $COLUMNS, else stdout's width when it is a
// terminal, else no limit (a pipe gets whole rows).
ListingStyle listing_style(const config::Config& config);

// A table's last column: "Artist - Title  (Album/03 Song.flac)".
std::string track_cell(const core::LibraryRow& row, const ListingStyle& style);

// One table row, cut to the style's width.
std::string fitted_row(const std::string& row, const ListingStyle& style);

// `name` is the playlist's name for m3u (its #PLAYLIST: line).
void write_track_list(std::ostream& out, TrackFormat format, const std::vector<core::LibraryRow>& rows,
                      const std::vector<const playlist::Field*>& columns, std::string_view name,
                      const ListingStyle& style);

// The musical-feature and mood columns shared by `tracks` and `export`.
void write_feature_mood_header(std::ostream& out);
void write_feature_mood_values(std::ostream& out, const std::optional<core::MusicalFeatures>& features,
                               const std::optional<core::Moods>& moods);
void add_feature_mood_fields(nlohmann::ordered_json& object, const std::optional<core::MusicalFeatures>& features,
                             const std::optional<core::Moods>& moods);

// A track's path for JSON output: as it is when it is UTF-8, else with its
// other bytes as \xHH (and one line on stderr naming the file), so one
// Latin-1 file name never fails the whole output.
std::string json_path(const std::filesystem::path& path);
// Every JSON document vibectl prints: text that is still not UTF-8 (an error
// message quoting a file name) is replaced, never a reason to print nothing.
std::string json_text(const nlohmann::ordered_json& document);

// "3:07" (or "1:02:03").
std::string format_duration(double seconds);

// "Artist - Title", falling back to the file name when tags are missing.
std::string display_name(const core::LibraryRow& row);

}  // namespace vibed::daemon
