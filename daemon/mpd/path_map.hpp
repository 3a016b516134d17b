#pragma once
// Between vibed's paths and MPD's URIs: MPD names a song by its path
// relative to its music_directory, vibed by the absolute path of the file.
// Pure except for resolving symbolic links once.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace vibed::daemon::mpd {

class PathMap {
public:
    // `music_directory` is MPD's music_directory as vibed sees it (absolute).
    explicit PathMap(std::filesystem::path music_directory);

    // The song's URI for MPD, or nullopt when the file is not inside the music
    // directory (also after following symbolic links on both sides).
    [[nodiscard]] std::optional<std::string> to_uri(const std::filesystem::path& track) const;
    // The file a URI of MPD's names; nullopt for a stream (a URL) or a URI
    // that leaves the music directory.
    [[nodiscard]] std::optional<std::filesystem::path> to_path(std::string_view uri) const;

    [[nodiscard]] const std::filesystem::path& music_directory() const { return music_directory_; }

private:
    std::filesystem::path music_directory_;  // normalised, without a trailing slash
    std::filesystem::path resolved_;         // with symbolic links resolved (may equal music_directory_)
};

}  // namespace vibed::daemon::mpd
