#pragma once
// Reads just enough of MPD's own configuration file (mpd.conf) to know where
// MPD keeps its music and its stored playlists, so that vibed can put its
// playlists where `mpc lsplaylists` finds them.

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace vibed::config {

// The files MPD reads when started without one, in MPD's order (mpd.conf(5)):
// $XDG_CONFIG_HOME/mpd/mpd.conf, ~/.mpdconf, ~/.mpd/mpd.conf, /etc/mpd.conf.
std::vector<std::filesystem::path> mpd_config_search_path();

// The first of mpd_config_search_path() that exists: the file MPD would read.
std::optional<std::filesystem::path> find_mpd_config();

struct MpdDirectories {
    std::filesystem::path music_directory;     // empty when mpd.conf does not set it
    std::filesystem::path playlist_directory;  // empty when mpd.conf does not set it
};

// The two settings from MPD's configuration text. Understands what MPD does:
// `name "value"` lines, # comments, { } blocks (skipped), `include` and
// `include_optional` (relative to the including file), and MPD's path
// expansion (~, ~user, $HOME, $XDG_CONFIG_HOME, $XDG_MUSIC_DIR,
// $XDG_CACHE_HOME, $XDG_RUNTIME_DIR). A later setting wins.
// Throws ConfigError "file:line: message" for a file MPD itself would refuse.
MpdDirectories parse_mpd_config(std::string_view text, const std::filesystem::path& file);

// Reads and parses the file. Throws ConfigError naming it.
MpdDirectories read_mpd_config(const std::filesystem::path& file);

}  // namespace vibed::config
