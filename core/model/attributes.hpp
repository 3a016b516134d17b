#pragma once
// The seven perceptual attributes VibeNet predicts, in VibeNet's own order.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace vibed::core {

inline constexpr std::size_t kAttributeCount = 7;

// Order matters: it is the order of the model's output logits and of every
// table and CSV column that lists attributes.
inline constexpr std::array<std::string_view, kAttributeCount> kAttributeNames = {
    "acousticness", "danceability", "energy", "instrumentalness",
    "liveness",     "speechiness",  "valence",
};

struct Attributes {
    float acousticness = 0;
    float danceability = 0;
    float energy = 0;
    float instrumentalness = 0;
    float liveness = 0;
    float speechiness = 0;
    float valence = 0;

    // Index-based access in kAttributeNames order.
    [[nodiscard]] float at(std::size_t index) const;
    float& at(std::size_t index);

    // Turns raw model logits into attributes exactly as VibeNet does:
    // sigmoid for the likelihoods (acousticness, instrumentalness, liveness),
    // clip to [0, 1] for the descriptors.
    static Attributes from_logits(const std::array<float, kAttributeCount>& logits);
};

// Index of an attribute name in kAttributeNames, or nullopt when it is not one.
std::optional<std::size_t> attribute_index(std::string_view name);

}  // namespace vibed::core
