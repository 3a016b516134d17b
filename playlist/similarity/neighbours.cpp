#include "playlist/similarity/neighbours.hpp"

#include <algorithm>
#include <cmath>
#include <queue>

namespace vibed::playlist {

double squared_distance(std::span<const float> a, std::span<const float> b) {
    double sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
        sum += d * d;
    }
    return sum;
}

double distance(std::span<const float> a, std::span<const float> b) { return std::sqrt(squared_distance(a, b)); }

std::vector<Neighbour> nearest(const core::VectorSet& set, std::span<const float> point, std::size_t count,
                               const std::function<bool(std::size_t)>& skip) {
    if (count == 0 || point.size() != set.dimensions) return {};
    // A max-heap of the best `count` so far: (squared distance, index).
    using Entry = std::pair<double, std::size_t>;
    std::priority_queue<Entry> best;
    for (std::size_t i = 0; i < set.size(); ++i) {
        const double d = squared_distance(set.vector(i), point);
        if (best.size() == count && Entry{d, i} >= best.top()) continue;
        if (skip && skip(i)) continue;  // asked only of those that would make the list
        best.emplace(d, i);
        if (best.size() > count) best.pop();
    }
    std::vector<Neighbour> found(best.size());
    for (std::size_t k = found.size(); k-- > 0; best.pop()) found[k] = {best.top().second, std::sqrt(best.top().first)};
    return found;
}

}  // namespace vibed::playlist
