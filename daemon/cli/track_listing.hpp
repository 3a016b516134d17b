#pragma once
// Prints lists of indexed tracks for vibectl (tracks, playlist, export).

#include <ostream>
#include <vector>

#include "daemon/cli/attribute_table.hpp"
#include "db/index.hpp"

namespace vibed::daemon {

// table: position, duration, "artist - title", path; csv/json: every tag and attribute.
void write_track_list(std::ostream& out, OutputFormat format, const std::vector<db::LibraryRow>& rows);

// "3:07" (or "1:02:03").
std::string format_duration(double seconds);

// "Artist - Title", falling back to the file name when tags are missing.
std::string display_name(const db::LibraryRow& row);

}  // namespace vibed::daemon
