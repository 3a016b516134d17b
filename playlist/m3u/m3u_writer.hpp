#pragma once
// Writes playlists as M3U files that MPD, Navidrome, VLC and friends load:
// #EXTM3U, #PLAYLIST:<name>, one #EXTINF line per track ("Artist - Title",
// except for MPD's own folder: MPD would show it twice), UTF-8, LF, forward
// slashes. Files are replaced atomically and only when their content
// changes, and vibed only ever removes files it wrote itself.

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/library/library_row.hpp"
#include "core/util/output_target.hpp"

namespace vibed::playlist {

// The writer's input types, which the configuration fills: one definition of each.
//   absolute              /music/Artist/track.mp3 (MPD inside its music_directory, Navidrome, most players)
//   relative-to-playlist  ../Artist/track.mp3 (Navidrome, playlists kept inside the library)
//   relative-to-library   Artist/track.mp3 (MPD: relative to its music_directory)
//   uri                   file:///music/Artist/Untitled%20%231.mp3 (VLC: a '#' or '?' in a
//                         plain path reads as a URL fragment or query there)
using util::OutputTarget;
using util::PathStyle;

struct WriteResult {
    std::filesystem::path path;         // the playlist file
    bool changed = false;               // false: the file already held exactly this
    std::vector<std::string> warnings;  // one line per kind of skipped track, for the caller to log
};

// The file vibed keeps in each target folder listing the files it wrote.
inline constexpr std::string_view kManifestFileName = ".vibed-playlists";

// The one rule from a playlist's name to its file's name: the name itself
// ("Driving Vibes" -> "Driving Vibes.m3u", so `mpc load "Driving Vibes"`
// works), changed only where a file system or player needs it: '/', '\',
// the characters FAT/exFAT and SMB shares refuse (: ? * " < > |), control
// characters and invalid UTF-8 become '-', leading dots and
// surrounding spaces go (no hidden files, nothing that leaves the folder),
// and it is cut to at most 200 bytes on a character boundary.
// Throws std::invalid_argument when nothing usable is left (e.g. "../..")
// or for an extension other than .m3u/.m3u8.
std::string playlist_file_name(std::string_view playlist_name, std::string_view extension);

// The entry line for one absolute track path in the `uri` style:
// "file://" + the path with every byte but A-Z a-z 0-9 - . _ ~ / percent-encoded.
std::string file_uri(const std::filesystem::path& path);

// The M3U text for `tracks` as `target` wants it. `library_roots` are the
// configured library folders; relative-to-library entries are relative to
// target.relative_to when set, else to the root holding each track. Tracks
// whose path cannot be written (a newline in it, not UTF-8, outside every
// root for relative-to-library) are left out, with one line per reason in
// `warnings`.
std::string render_m3u(const OutputTarget& target, const std::vector<std::filesystem::path>& library_roots,
                       std::string_view playlist_name, const std::vector<core::LibraryRow>& tracks,
                       std::vector<std::string>& warnings);

// Writes (or leaves alone, when unchanged) the playlist file for `name` in
// target.folder, creating the folder if needed, and records it in the
// manifest. Refuses to overwrite a file of that name vibed did not write.
// Throws std::runtime_error naming the folder or file on any failure, and
// std::invalid_argument for an unusable name or extension.
WriteResult write_playlist(const OutputTarget& target, const std::vector<std::filesystem::path>& library_roots,
                           std::string_view name, const std::vector<core::LibraryRow>& tracks);

// Deletes the playlist files of target.extension that the manifest says vibed
// wrote and whose playlist is no longer in `live_names`; returns them.
// Files vibed did not write are never touched.
// Throws std::runtime_error naming the file on failure.
std::vector<std::filesystem::path> remove_stale_playlists(const OutputTarget& target,
                                                          const std::set<std::string>& live_names);

}  // namespace vibed::playlist
