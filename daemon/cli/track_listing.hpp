#pragma once
// Prints lists of indexed tracks for vibectl (tracks, playlist).

#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

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

// `name` is the playlist's name for m3u (its #PLAYLIST: line).
void write_track_list(std::ostream& out, TrackFormat format, const std::vector<core::LibraryRow>& rows,
                      const std::vector<const playlist::Field*>& columns, std::string_view name);

// The musical-feature and mood columns shared by `tracks` and `export`.
void write_feature_mood_header(std::ostream& out);
void write_feature_mood_values(std::ostream& out, const std::optional<core::MusicalFeatures>& features,
                               const std::optional<core::Moods>& moods);
void add_feature_mood_fields(nlohmann::ordered_json& object, const std::optional<core::MusicalFeatures>& features,
                             const std::optional<core::Moods>& moods);

// "3:07" (or "1:02:03").
std::string format_duration(double seconds);

// "Artist - Title", falling back to the file name when tags are missing.
std::string display_name(const core::LibraryRow& row);

}  // namespace vibed::daemon
