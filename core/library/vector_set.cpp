#include "core/library/vector_set.hpp"

#include <algorithm>

namespace vibed::core {

std::optional<std::size_t> VectorSet::find(std::int64_t track_id) const {
    const auto at = std::lower_bound(track_ids.begin(), track_ids.end(), track_id);
    if (at == track_ids.end() || *at != track_id) return std::nullopt;
    return static_cast<std::size_t>(at - track_ids.begin());
}

}  // namespace vibed::core
