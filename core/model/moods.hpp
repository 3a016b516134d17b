#pragma once
// Moods as people perceive them (plain data): the four emotion quadrants of
// Russell's circumplex, plus perceived valence and arousal. Predicted by the
// mood model (core/model/mood_model.hpp) from VibeNet's attributes and the
// musical features; kept apart from VibeNet's own `valence`, which measures
// something else and stays exactly as VibeNet defines it.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace vibed::core {

// In quadrant order: Q1 happy/excited, Q2 angry/tense, Q3 sad/depressed, Q4 calm/content.
enum class Mood { happy, tense, sad, calm };
inline constexpr std::size_t kMoodCount = 4;
inline constexpr std::array<std::string_view, kMoodCount> kMoodNames = {"happy", "tense", "sad", "calm"};

struct Moods {
    // Perceived valence, 0 (negative: tense, sad) to 1 (positive: happy, calm).
    float valence = 0.5f;
    // Perceived arousal, 0 (low: sad, calm) to 1 (high: happy, tense).
    float arousal = 0.5f;
    // Probability of each mood, in kMoodNames order; they sum to 1.
    std::array<float, kMoodCount> probabilities{0.25f, 0.25f, 0.25f, 0.25f};

    // The most likely mood.
    [[nodiscard]] Mood mood() const;
    [[nodiscard]] float probability(Mood mood) const { return probabilities[static_cast<std::size_t>(mood)]; }
};

std::string_view to_string(Mood mood);
std::optional<Mood> parse_mood(std::string_view name);

}  // namespace vibed::core
