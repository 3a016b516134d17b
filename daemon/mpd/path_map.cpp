#include "daemon/mpd/path_map.hpp"

#include "core/util/path_tree.hpp"

namespace vibed::daemon::mpd {
namespace fs = std::filesystem;

PathMap::PathMap(const fs::path& music_directory) : base_(music_directory) {}

std::optional<std::string> PathMap::to_uri(const fs::path& track) const {
    if (auto relative = base_.relative(track)) return relative->generic_string();
    return std::nullopt;
}

std::optional<fs::path> PathMap::to_path(std::string_view uri) const {
    if (uri.empty() || uri.find("://") != std::string_view::npos || uri.starts_with('/')) return std::nullopt;
    const fs::path path = (base_.folder() / fs::path(uri)).lexically_normal();
    if (!util::relative_below(path, base_.folder())) return std::nullopt;
    return path;
}

}  // namespace vibed::daemon::mpd
