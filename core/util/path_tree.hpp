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

// `path` (at or under `from`) as it is after `from` moved to `to`.
std::filesystem::path rebase(const std::filesystem::path& path, const std::filesystem::path& from,
                             const std::filesystem::path& to);

}  // namespace vibed::util
