#pragma once
// Exact nearest-neighbour search over packed similarity vectors (Euclidean
// distance). A scan of every vector: at 16-64 numbers per track, 100,000
// tracks take a few milliseconds (docs/performance.md), which is faster than
// keeping an approximate index in step with the database would ever pay back.

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "core/library/vector_set.hpp"

namespace vibed::playlist {

struct Neighbour {
    std::size_t index = 0;  // in the VectorSet
    double distance = 0;
};

// Euclidean distance; the spans have the same length.
double distance(std::span<const float> a, std::span<const float> b);
double squared_distance(std::span<const float> a, std::span<const float> b);

// Up to `count` entries of `set` nearest to `point`, nearest first (ties by
// position, so the answer is deterministic), leaving out those `skip` (when
// given) returns true for.
std::vector<Neighbour> nearest(const core::VectorSet& set, std::span<const float> point, std::size_t count,
                               const std::function<bool(std::size_t)>& skip = {});

}  // namespace vibed::playlist
