#pragma once
// "Is this path under that folder", the one definition: path arithmetic by
// whole components (so /music/rock does not contain /music/rockabilly),
// lexical (no file system access: callers resolve symbolic links first when
// they mean to). A folder may end in a separator.

#include <filesystem>
#include <optional>

namespace vibed::util {

// `path` is `folder` itself or lies below it.
bool is_at_or_under(const std::filesystem::path& path, const std::filesystem::path& folder);

// `path` relative to `folder` when it lies strictly below it ("rock/a.mp3"
// for /music/rock/a.mp3 under /music); nullopt for the folder itself, a path
// outside it, or a relative path against an absolute folder.
std::optional<std::filesystem::path> relative_below(const std::filesystem::path& path,
                                                    const std::filesystem::path& folder);

// A folder other paths are written relative to, as another program names
// its files (MPD's music_directory, an M3U's relative-to-library base): a
// path lies below it lexically, or else after following symbolic links on
// both sides (a library reached as ~/Music while MPD plays /srv/music, its
// target). The one definition the M3U writer and MPD's URIs share, so both
// map the same tracks.
class RelativeBase {
public:
    // Resolves the folder's symbolic links once.
    explicit RelativeBase(const std::filesystem::path& folder);
    // `path` below the folder, or nullopt (also for the folder itself).
    [[nodiscard]] std::optional<std::filesystem::path> relative(const std::filesystem::path& path) const;
    // Normalised, without a trailing separator.
    [[nodiscard]] const std::filesystem::path& folder() const { return folder_; }

private:
    std::filesystem::path folder_;
    std::filesystem::path resolved_;  // may equal folder_
};

// `path` (at or under `from`) as it is after `from` moved to `to`.
std::filesystem::path rebase(const std::filesystem::path& path, const std::filesystem::path& from,
                             const std::filesystem::path& to);

}  // namespace vibed::util
