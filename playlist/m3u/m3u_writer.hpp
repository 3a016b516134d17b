#pragma once
// Writes playlists as M3U files that MPD, Navidrome, VLC and friends load:
// #EXTM3U, #PLAYLIST:<name>, one #EXTINF line per track, UTF-8, LF, forward
// slashes. Files are replaced atomically and only when their content
// changes, and vibed only ever removes files it wrote itself.

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "db/index.hpp"

namespace vibed::playlist {

enum class PathStyle {
    Absolute,               // /music/Artist/track.mp3
    RelativeToPlaylist,     // ../Artist/track.mp3: Navidrome, VLC, playlists kept inside the library
    RelativeToLibraryRoot,  // Artist/track.mp3: MPD's playlist_directory + music_directory
};

// Where and how one player wants its playlists.
struct OutputTarget {
    std::filesystem::path folder;
    std::string extension = ".m3u";     // ".m3u" or ".m3u8"
    PathStyle style = PathStyle::Absolute;
    std::filesystem::path library_root;  // absolute; used by RelativeToLibraryRoot only
};

struct WriteResult {
    std::filesystem::path path;         // the playlist file
    bool changed = false;               // false: the file already held exactly this
    std::vector<std::string> warnings;  // one line per skipped track, for the caller to log
};

// The file vibed keeps in each target folder listing the files it wrote.
inline constexpr std::string_view kManifestFileName = ".vibed-playlists";

// "Driving Vibes" -> "driving-vibes": ASCII letters and digits lowercased,
// non-ASCII letters kept, every other run of characters one '-'. The result
// never contains '/', '.' or a leading '-', so it cannot leave the folder.
// Throws std::invalid_argument when nothing usable is left (e.g. "../..").
std::string playlist_file_stem(std::string_view playlist_name);

// The M3U text for `tracks` as `target` wants it. Tracks whose path cannot be
// written (a newline in it, not UTF-8, outside the library root for
// RelativeToLibraryRoot) are left out with a line in `warnings`.
std::string render_m3u(const OutputTarget& target, std::string_view playlist_name,
                       const std::vector<db::LibraryRow>& tracks, std::vector<std::string>& warnings);

// Writes (or leaves alone, when unchanged) the playlist file for `name` in
// target.folder, creating the folder if needed, and records it in the
// manifest. Refuses to overwrite a file of that name vibed did not write.
// Throws std::runtime_error naming the folder or file on any failure, and
// std::invalid_argument for an unusable name or extension.
WriteResult write_playlist(const OutputTarget& target, std::string_view name, const std::vector<db::LibraryRow>& tracks);

// Deletes the playlist files of target.extension that the manifest says vibed
// wrote and whose playlist is no longer in `live_names`; returns them.
// Files vibed did not write are never touched.
// Throws std::runtime_error naming the file on failure.
std::vector<std::filesystem::path> remove_stale_playlists(const OutputTarget& target,
                                                          const std::set<std::string>& live_names);

}  // namespace vibed::playlist
