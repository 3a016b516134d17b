#pragma once
// Where playlist files go and how they name their tracks: filled by the
// configuration (config/), read by the M3U writer (playlist/m3u/). Plain data
// here so that neither of them includes the other.

#include <filesystem>
#include <string>
#include <string_view>

namespace vibed::util {

// How a playlist file names its tracks. One type for the configuration and
// the M3U writer (playlist/m3u/m3u_writer.hpp), which documents each style.
enum class PathStyle { absolute, relative_to_playlist, relative_to_library, uri };

// One place playlists are written to, and how.
struct OutputTarget {
    std::filesystem::path folder;
    std::string extension = ".m3u8";  // ".m3u" or ".m3u8"
    PathStyle path_style = PathStyle::absolute;
    // relative-to-library: the folder paths are relative to (beets'
    // `relative_to`; MPD's music_directory). Empty: the library folder that
    // holds each track.
    std::filesystem::path relative_to;
    // Put in front of every entry (beets' `prefix`), e.g. where another
    // machine mounts the music.
    std::string prefix;
    // Where the target comes from, for messages: "config.toml:40:1",
    // "built-in defaults" or "MPD (/home/ana/.config/mpd/mpd.conf)".
    std::string origin;
    bool from_mpd = false;  // added because an MPD configuration was found
};

// Every style, in the order help texts list them.
inline constexpr PathStyle kPathStyles[] = {PathStyle::absolute, PathStyle::relative_to_playlist,
                                            PathStyle::relative_to_library, PathStyle::uri};

// "absolute", "relative-to-playlist", "relative-to-library" or "uri": the
// one spelling the configuration, vibectl's --path-style and messages use.
std::string_view to_string(PathStyle style);

}  // namespace vibed::util
