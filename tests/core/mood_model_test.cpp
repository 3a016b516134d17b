#include "core/model/mood_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

#include <nlohmann/json.hpp>

namespace vibed::core {
namespace {

const std::filesystem::path kSource = VIBED_SOURCE_DIR;

// Two inputs, hand-made weights: the arithmetic can be checked on paper.
constexpr std::string_view kTinyModel = R"json({
  "format": "vibed-mood-model", "version": 1, "name": "tiny",
  "inputs": [
    {"name": "energy", "transform": "identity", "center": 0.5, "scale": 0.25},
    {"name": "bpm", "transform": "log", "unknown_if_zero": true, "center": 4.787491742782046, "scale": 0.5},
    {"name": "mode", "transform": "minor", "center": 0.5, "scale": 0.5}
  ],
  "valence": {"intercept": 0.1, "weights": [0.5, 0.0, -1.0]},
  "arousal": {"intercept": 0.0, "weights": [2.0, 1.0, 0.0]},
  "moods": {"intercepts": [0, 0, 0, 0],
            "weights": [[1, 0, -1], [1, 0, 1], [-1, 0, 1], [-1, 0, -1]]}
})json";

MoodInputValues track(float energy, double bpm, Mode mode) {
    MoodInputValues values;
    values.attributes.energy = energy;
    values.features.bpm = bpm;
    values.features.mode = mode;
    return values;
}

double logit(double p) { return std::log(p / (1 - p)); }

TEST(MoodModel, PredictsWhatTheWeightsSay) {
    const MoodModel model = MoodModel::parse(kTinyModel, "tiny.json");
    // energy 0.75 -> z 1; bpm 120 = exp(center) -> z 0; minor -> z 1.
    const Moods moods = model.predict(track(0.75f, 120, Mode::minor));
    EXPECT_NEAR(logit(moods.valence), 0.1 + 0.5 - 1.0, 1e-5);
    EXPECT_NEAR(logit(moods.arousal), 2.0, 1e-5);
    // mood logits: happy 0, tense 2, sad 0, calm -2
    const double total = 1 + std::exp(2.0) + 1 + std::exp(-2.0);
    EXPECT_NEAR(moods.probability(Mood::tense), std::exp(2.0) / total, 1e-6);
    EXPECT_EQ(moods.mood(), Mood::tense);
}

TEST(MoodModel, AnUnknownTempoPushesNoWayAndExtremesAreClamped) {
    const MoodModel model = MoodModel::parse(kTinyModel, "tiny.json");
    const Moods unknown = model.predict(track(0.5f, 0, Mode::unknown));
    EXPECT_NEAR(unknown.arousal, 0.5, 1e-6);  // energy at its centre, tempo unknown
    const Moods absurd = model.predict(track(0.5f, 1e9, Mode::unknown));
    EXPECT_NEAR(logit(absurd.arousal), 4.0, 1e-4);  // z clamped to 4
}

TEST(MoodModel, ExplanationsAddUpToThePrediction) {
    const MoodModel model = MoodModel::parse(kTinyModel, "tiny.json");
    const MoodInputValues values = track(0.3f, 80, Mode::major);
    for (const auto scale : {MoodModel::Scale::valence, MoodModel::Scale::arousal}) {
        const MoodExplanation e = model.explain(values, scale);
        const double sum = std::accumulate(e.terms.begin(), e.terms.end(), e.baseline,
                                           [](double total, const MoodTerm& t) { return total + t.contribution; });
        EXPECT_NEAR(sum, logit(e.probability), 1e-5);
    }
    // For a mood: its centred logit, and the probability follows from all centred logits.
    const Moods moods = model.predict(values);
    for (std::size_t k = 0; k < kMoodCount; ++k) {
        const MoodExplanation e = model.explain(values, static_cast<Mood>(k));
        EXPECT_FLOAT_EQ(static_cast<float>(e.probability), moods.probabilities[k]);
        ASSERT_EQ(e.terms.size(), 3u);
        EXPECT_GE(std::abs(e.terms[0].contribution), std::abs(e.terms[1].contribution));  // largest first
    }
    const MoodExplanation sad = model.explain(values, Mood::sad);
    double centred_sad = sad.baseline;
    for (const auto& t : sad.terms) centred_sad += t.contribution;
    // energy z = -0.8, major z = -1: sad's centred weights are (-1, 0, +1) -> 0.8 - 1 = -0.2
    EXPECT_NEAR(centred_sad, -0.2, 1e-5);
}

TEST(MoodModel, BadFilesAreRefusedWithTheReason) {
    const auto error_of = [](std::string_view text) {
        try {
            (void)MoodModel::parse(text, "bad.json");
        } catch (const MoodModelError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(error_of("{").find("bad.json"), std::string::npos);
    EXPECT_NE(error_of(R"({"format": "other", "version": 1})").find("not a vibed mood model"), std::string::npos);
    std::string unknown_input(kTinyModel);
    unknown_input.replace(unknown_input.find("\"energy\""), 8, "\"energyy\"");
    EXPECT_NE(error_of(unknown_input).find("'energyy' is neither"), std::string::npos);
    std::string short_head(kTinyModel);
    short_head.replace(short_head.find("[0.5, 0.0, -1.0]"), 16, "[0.5, 0.0]");
    EXPECT_NE(error_of(short_head).find("2 weights for 3 inputs"), std::string::npos);
    EXPECT_THROW((void)MoodModel::load("/nonexistent/moods.json"), MoodModelError);
}

// The bundled model in C++ gives what model/train_moods.py computed in Python
// for the same inputs (tests/golden/moods_golden.json, written by that script).
TEST(MoodModel, TheBundledModelMatchesItsTrainingGoldens) {
    const MoodModel model = MoodModel::load(kSource / "model/moods.json");
    std::ifstream in(kSource / "tests/golden/moods_golden.json");
    ASSERT_TRUE(in) << "re-run /usr/bin/python3 model/train_moods.py";
    const auto golden = nlohmann::json::parse(in);
    ASSERT_GE(golden.at("cases").size(), 4u);
    for (const auto& c : golden.at("cases")) {
        MoodInputValues values;
        for (const auto& [name, value] : c.at("inputs").items()) {
            if (const auto a = attribute_index(name)) values.attributes.at(*a) = value.get<float>();
            if (const auto f = feature_index(name)) set_feature_value(values.features, *f, value.get<double>());
        }
        const Moods moods = model.predict(values);
        EXPECT_NEAR(moods.valence, c.at("valence").get<double>(), 1e-5);
        EXPECT_NEAR(moods.arousal, c.at("arousal").get<double>(), 1e-5);
        for (std::size_t k = 0; k < kMoodCount; ++k) {
            EXPECT_NEAR(moods.probabilities[k], c.at("moods")[k].get<double>(), 1e-5) << kMoodNames[k];
        }
    }
}

}  // namespace
}  // namespace vibed::core
