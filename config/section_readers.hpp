#pragma once
// The readers of the configuration's sections (internal to vibed_config):
// config.cpp's apply() hands each table of the file to one of them. Each
// reads only the keys present, over the values it is given (the defaults,
// or what the built-in file set), and rejects keys it does not know.

#include <toml++/toml.h>

#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace vibed::config {

// [library], [database], [analysis], [daemon], [playlists], [mpd]
// (config/section_readers.cpp).
void read_library(const toml::table& table, LibraryConfig& library);
void read_database(const toml::table& table, DatabaseConfig& database);
void read_analysis(const toml::table& table, AnalysisConfig& analysis);
void read_daemon(const toml::table& table, DaemonConfig& daemon);
void read_playlist_settings(const toml::table& table, PlaylistSettings& playlists);
void read_mpd_client(const toml::table& table, MpdClientConfig& mpd);

// One [[output]] table (config/outputs.cpp).
OutputTarget read_output(const toml::table& table);
// Two outputs writing the same files would overwrite each other's playlists:
// fails at the [[output]] of `root` that repeats an earlier one.
void check_distinct_outputs(const toml::table& root, const std::vector<OutputTarget>& outputs);

// The file's [[playlist]] tables merged into `playlists`; `document` is the
// file's text, so that queries remember the line they were written on
// (config/playlist_reader.cpp).
void read_playlists(const toml::array& tables, std::vector<PlaylistDefinition>& playlists, std::string_view document);

}  // namespace vibed::config
