#pragma once
// Path arithmetic for folder moves, by whole components (so /music/rock
// does not contain /music/rockabilly). A folder may end in a separator.

#include <filesystem>

namespace vibed::daemon {

// `path` is `folder` itself or lies below it.
bool is_at_or_under(const std::filesystem::path& path, const std::filesystem::path& folder);

// `path` (at or under `from`) as it is after `from` moved to `to`.
std::filesystem::path rebase(const std::filesystem::path& path, const std::filesystem::path& from,
                             const std::filesystem::path& to);

}  // namespace vibed::daemon
