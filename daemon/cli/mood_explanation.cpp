#include "daemon/cli/mood_explanation.hpp"

#include <cmath>
#include <cstdio>

#include "core/model/model_locator.hpp"
#include "core/model/mood_model.hpp"

namespace vibed::daemon {
namespace {

constexpr std::size_t kMostTerms = 6;

std::string describe_features(const core::MusicalFeatures& f) {
    char text[256];
    const std::string key = core::key_name(f.key, f.mode);
    const std::string tempo = f.bpm > 0 ? std::to_string(static_cast<int>(std::lround(f.bpm))) + " BPM" : "no steady beat";
    std::snprintf(text, sizeof text, "%s (confidence %.2f), %s (strength %.2f), loudness %.1f LUFS (range %.1f LU)",
                  tempo.c_str(), f.bpm_confidence, key.empty() ? "no clear key" : key.c_str(), f.key_strength,
                  f.loudness, f.loudness_range);
    return text;
}

void print_terms(const char* heading, const core::MoodExplanation& explanation) {
    std::printf("  %s %.2f:", heading, explanation.probability);
    std::size_t shown = 0;
    for (const auto& term : explanation.leading_terms(kMostTerms)) {
        // The input `valence` is VibeNet's attribute, not the mood scale below: say so.
        const std::string input = term.input == "valence" ? "valence (attribute)" : std::string(term.input);
        std::printf("%s %s %.3g (%s) %+.2f", shown == 0 ? "" : ",", input.c_str(), term.value,
                    term.standardised >= 0 ? "high" : "low", term.contribution);
        ++shown;
    }
    std::printf(shown == 0 ? " no input stands out\n" : "\n");
}

}  // namespace

void print_mood_explanation(const db::TrackRecord& track, const config::Config& config) {
    if (!track.features) {
        std::printf("features: not measured yet (vibed analyses the track again in the background)\n");
        return;
    }
    std::printf("features: %s\n", describe_features(*track.features).c_str());
    const auto file = core::resolve_mood_model(config.analysis.mood_model);
    if (!file) {
        std::printf("moods: off ([analysis] mood_model = \"none\")\n");
        return;
    }
    if (!track.attributes) return;
    const core::MoodModel model = core::MoodModel::load(*file);
    const core::MoodInputValues inputs{*track.attributes, *track.features};
    const core::Moods moods = model.predict(inputs);
    // Two valences: VibeNet's attribute `valence` (Spotify's, predicted from
    // the audio) and the mood model's `mood_valence` (as people perceive it);
    // each is named by its query field.
    std::printf("attribute valence %.2f (VibeNet, field `valence`)\n", track.attributes->valence);
    std::printf("moods (%s): happy %.2f, tense %.2f, sad %.2f, calm %.2f; mood_valence %.2f, mood_arousal %.2f "
                "(as people perceive them)\n",
                model.name().c_str(), moods.probabilities[0], moods.probabilities[1], moods.probabilities[2],
                moods.probabilities[3], moods.valence, moods.arousal);
    std::printf("why (contributions to the log-odds, largest first):\n");
    print_terms(std::string(core::to_string(moods.mood())).c_str(), model.explain(inputs, moods.mood()));
    print_terms("mood_valence", model.explain(inputs, core::MoodModel::Scale::valence));
    print_terms("mood_arousal", model.explain(inputs, core::MoodModel::Scale::arousal));
}

}  // namespace vibed::daemon
