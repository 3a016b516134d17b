#include "daemon/mpd/path_map.hpp"

#include "core/util/path_tree.hpp"

namespace vibed::daemon::mpd {
namespace {

namespace fs = std::filesystem;

fs::path normalised(const fs::path& path) {
    fs::path result = path.lexically_normal();
    if (!result.has_filename() && result.has_relative_path()) result = result.parent_path();
    return result;
}


}  // namespace

PathMap::PathMap(fs::path music_directory) : music_directory_(normalised(music_directory)) {
    std::error_code ignored;
    resolved_ = fs::weakly_canonical(music_directory_, ignored);
    if (resolved_.empty()) resolved_ = music_directory_;
}

std::optional<std::string> PathMap::to_uri(const fs::path& track) const {
    if (auto relative = util::relative_below(normalised(track), music_directory_)) return relative->generic_string();
    // The library may reach the same files through a symbolic link (~/Music -> /srv/music).
    std::error_code ignored;
    const fs::path resolved_track = fs::weakly_canonical(track, ignored);
    if (resolved_track.empty()) return std::nullopt;
    if (auto relative = util::relative_below(resolved_track, resolved_)) return relative->generic_string();
    return std::nullopt;
}

std::optional<fs::path> PathMap::to_path(std::string_view uri) const {
    if (uri.empty() || uri.find("://") != std::string_view::npos || uri.starts_with('/')) return std::nullopt;
    const fs::path path = (music_directory_ / fs::path(uri)).lexically_normal();
    if (!util::relative_below(path, music_directory_)) return std::nullopt;
    return path;
}

}  // namespace vibed::daemon::mpd
