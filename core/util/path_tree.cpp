#include "core/util/path_tree.hpp"

#include <algorithm>

namespace vibed::util {
namespace {

// The end of `folder`'s components, leaving out the empty last one that a
// trailing separator adds ("/music/rock/" as typed in `vibectl scan`): it
// would match no path below the folder.
std::filesystem::path::iterator end_of_folder(const std::filesystem::path& folder) {
    auto end = folder.end();
    if (!folder.has_filename() && folder.has_relative_path()) --end;
    return end;
}

}  // namespace

bool is_at_or_under(const std::filesystem::path& path, const std::filesystem::path& folder) {
    const auto folder_end = end_of_folder(folder);
    return std::mismatch(folder.begin(), folder_end, path.begin(), path.end()).first == folder_end;
}

std::optional<std::filesystem::path> relative_below(const std::filesystem::path& path,
                                                    const std::filesystem::path& folder) {
    std::filesystem::path relative = path.lexically_relative(folder);
    if (relative.empty() || relative == "." || *relative.begin() == "..") return std::nullopt;
    return relative;
}

namespace {

std::filesystem::path without_trailing_separator(const std::filesystem::path& path) {
    std::filesystem::path result = path.lexically_normal();
    if (!result.has_filename() && result.has_relative_path()) result = result.parent_path();
    return result;
}

}  // namespace

RelativeBase::RelativeBase(const std::filesystem::path& folder) : folder_(without_trailing_separator(folder)) {
    std::error_code ignored;
    resolved_ = std::filesystem::weakly_canonical(folder_, ignored);
    if (resolved_.empty()) resolved_ = folder_;
}

std::optional<std::filesystem::path> RelativeBase::relative(const std::filesystem::path& path) const {
    if (auto below = relative_below(without_trailing_separator(path), folder_)) return below;
    std::error_code ignored;
    const std::filesystem::path resolved_path = std::filesystem::weakly_canonical(path, ignored);
    if (resolved_path.empty()) return std::nullopt;
    return relative_below(resolved_path, resolved_);
}

std::filesystem::path rebase(const std::filesystem::path& path, const std::filesystem::path& from,
                             const std::filesystem::path& to) {
    std::filesystem::path result = to;
    auto component = path.begin();
    std::advance(component, std::distance(from.begin(), end_of_folder(from)));
    for (; component != path.end(); ++component) result /= *component;
    return result;
}

}  // namespace vibed::util
