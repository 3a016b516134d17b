#pragma once
// The similarity vectors of a library, packed for neighbour search: read
// from the index (db/), searched by playlist/similarity/.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace vibed::core {

// Every analysed track's similarity vector, packed: the vector of
// track_ids[i] is values[i * dimensions, (i + 1) * dimensions).
struct VectorSet {
    std::size_t dimensions = 0;
    std::vector<std::int64_t> track_ids;  // ascending
    std::vector<float> values;

    [[nodiscard]] std::size_t size() const { return track_ids.size(); }
    [[nodiscard]] std::span<const float> vector(std::size_t i) const {
        return {values.data() + i * dimensions, dimensions};
    }
    // The position of `track_id`, if it has a vector.
    [[nodiscard]] std::optional<std::size_t> find(std::int64_t track_id) const;
};

}  // namespace vibed::core
