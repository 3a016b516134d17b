#include "core/model/attributes.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace vibed::core {
namespace {

bool is_likelihood(std::size_t index) {
    const auto name = kAttributeNames[index];
    return name == "acousticness" || name == "instrumentalness" || name == "liveness";
}

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

}  // namespace

float Attributes::at(std::size_t index) const {
    return const_cast<Attributes*>(this)->at(index);
}

float& Attributes::at(std::size_t index) {
    switch (index) {
        case 0: return acousticness;
        case 1: return danceability;
        case 2: return energy;
        case 3: return instrumentalness;
        case 4: return liveness;
        case 5: return speechiness;
        case 6: return valence;
        default: throw std::out_of_range("attribute index out of range");
    }
}

Attributes Attributes::from_logits(const std::array<float, kAttributeCount>& logits) {
    Attributes result;
    for (std::size_t i = 0; i < kAttributeCount; ++i) {
        result.at(i) = is_likelihood(i) ? sigmoid(logits[i]) : std::clamp(logits[i], 0.0f, 1.0f);
    }
    return result;
}

std::optional<std::size_t> attribute_index(std::string_view name) {
    const auto it = std::find(kAttributeNames.begin(), kAttributeNames.end(), name);
    if (it == kAttributeNames.end()) return std::nullopt;
    return static_cast<std::size_t>(it - kAttributeNames.begin());
}

}  // namespace vibed::core
