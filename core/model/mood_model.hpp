#pragma once
// The mood model: moods as people perceive them, predicted from VibeNet's
// seven attributes and the musical features by linear heads over standardised
// inputs (trained on human labels by model/train_moods.py; docs/model-card-moods.md).
//
// Linear on purpose: every prediction is a sum of per-input contributions, so
// `vibectl explain` can say truthfully why a track is sad ("minor mode +0.9,
// slow tempo +0.5, ...").
//
// The file is JSON:
//   {"format": "vibed-mood-model", "version": 1, "name": "...",
//    "inputs": [...],                                          -- core/model/model_inputs.hpp
//    "valence": {"intercept": b, "weights": [w per input]},     -- logistic
//    "arousal": {"intercept": b, "weights": [...]},             -- logistic
//    "moods":   {"intercepts": [4], "weights": [[w per input] x 4]}}  -- softmax, kMoodNames order
// The inputs are standardised as ModelInputs defines (shared with the similarity model).

#include <array>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/features/musical_features.hpp"
#include "core/model/attributes.hpp"
#include "core/model/model_inputs.hpp"
#include "core/model/moods.hpp"

namespace vibed::core {

class MoodModelError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What the mood model reads of one track.
using MoodInputValues = TrackInputValues;

// One input's share of one prediction, in logit units (log-odds).
struct MoodTerm {
    std::string_view input;  // an attribute or feature name
    double value = 0;        // the track's raw value
    double standardised = 0; // how many training standard deviations from the mean
    double contribution = 0;
};

struct MoodExplanation {
    double probability = 0;
    double baseline = 0;          // the intercept's share
    std::vector<MoodTerm> terms;  // largest |contribution| first

    // The terms worth telling a person (`vibectl explain`, the map's "why"):
    // at most `most`, largest first, none below kNegligibleContribution.
    [[nodiscard]] std::vector<MoodTerm> leading_terms(std::size_t most) const;
};

// Contributions smaller than this (in log-odds) are left out of explanations:
// they do not change the verdict.
inline constexpr double kNegligibleContribution = 0.05;

class MoodModel {
public:
    // Throws MoodModelError naming the file and what is wrong with it.
    static MoodModel load(const std::filesystem::path& file);
    // `source` names the text in errors.
    static MoodModel parse(std::string_view json_text, const std::string& source);

    [[nodiscard]] Moods predict(const MoodInputValues& inputs) const;

    // Why `mood` got its probability: contributions to its log-odds against the
    // average of the other moods (softmax logits centred over the moods).
    [[nodiscard]] MoodExplanation explain(const MoodInputValues& inputs, Mood mood) const;
    // The same for perceived valence or arousal (plain logistic log-odds).
    enum class Scale { valence, arousal };
    [[nodiscard]] MoodExplanation explain(const MoodInputValues& inputs, Scale scale) const;

    [[nodiscard]] const std::string& name() const { return name_; }
    // Hex sha256 of the file: the identity stored with every mood.
    [[nodiscard]] const std::string& sha256() const { return sha256_; }
    [[nodiscard]] std::vector<std::string_view> input_names() const { return inputs_.names(); }

    struct Head {
        double intercept = 0;
        std::vector<double> weights;
    };

private:
    MoodModel() = default;
    [[nodiscard]] std::array<double, kMoodCount> mood_logits(const std::vector<double>& z) const;
    [[nodiscard]] MoodExplanation explain_terms(const MoodInputValues& inputs, const std::vector<double>& weights,
                                                double intercept, double probability) const;

    std::string name_;
    std::string sha256_;
    ModelInputs inputs_;
    Head valence_;
    Head arousal_;
    std::array<Head, kMoodCount> moods_;
};

}  // namespace vibed::core
