#include "daemon/service/path_tree.hpp"

#include <algorithm>

namespace vibed::daemon {

bool is_at_or_under(const std::filesystem::path& path, const std::filesystem::path& folder) {
    return std::mismatch(folder.begin(), folder.end(), path.begin(), path.end()).first == folder.end();
}

std::filesystem::path rebase(const std::filesystem::path& path, const std::filesystem::path& from,
                             const std::filesystem::path& to) {
    std::filesystem::path result = to;
    auto component = path.begin();
    std::advance(component, std::distance(from.begin(), from.end()));
    for (; component != path.end(); ++component) result /= *component;
    return result;
}

}  // namespace vibed::daemon
