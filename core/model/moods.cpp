#include "core/model/moods.hpp"

#include <algorithm>

namespace vibed::core {

Mood Moods::mood() const {
    const auto best = std::max_element(probabilities.begin(), probabilities.end());
    return static_cast<Mood>(best - probabilities.begin());
}

std::string_view to_string(Mood mood) { return kMoodNames[static_cast<std::size_t>(mood)]; }

std::optional<Mood> parse_mood(std::string_view name) {
    for (std::size_t i = 0; i < kMoodCount; ++i) {
        if (kMoodNames[i] == name) return static_cast<Mood>(i);
    }
    return std::nullopt;
}

}  // namespace vibed::core
