#include "core/model/similarity_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/model/model_locator.hpp"
#include "core/model/mood_model.hpp"
#include "tests/support/scratch_dir.hpp"

namespace vibed::core {
namespace {

// Three inputs, two dimensions: the arithmetic can be checked on paper.
constexpr std::string_view kTinyModel = R"json({
  "format": "vibed-similarity-model", "version": 1, "name": "tiny-space",
  "inputs": [
    {"name": "energy", "transform": "identity", "center": 0.5, "scale": 0.25},
    {"name": "bpm", "transform": "log", "unknown_if_zero": true, "center": 4.787491742782046, "scale": 0.5},
    {"name": "mode", "transform": "minor", "center": 0.5, "scale": 0.5}
  ],
  "dimensions": 2,
  "projection": [[1, 0, 0.5], [0, 2, -1]]
})json";

TrackInputValues track(float energy, double bpm, Mode mode) {
    TrackInputValues values;
    values.attributes.energy = energy;
    values.features.bpm = bpm;
    values.features.mode = mode;
    return values;
}

TEST(SimilarityModel, ProjectsTheStandardisedInputs) {
    const SimilarityModel model = SimilarityModel::parse(kTinyModel, "tiny.json");
    EXPECT_EQ(model.dimensions(), 2u);
    EXPECT_EQ(model.name(), "tiny-space");
    // energy 0.75 -> z 1; bpm 120 * e -> z 2; minor -> z 1.
    const auto vector = model.embed(track(0.75f, 120 * std::exp(1.0), Mode::minor));
    ASSERT_EQ(vector.size(), 2u);
    EXPECT_NEAR(vector[0], 1 + 0.5, 1e-5);
    EXPECT_NEAR(vector[1], 2 * 2 - 1, 1e-5);
    // Unknown tempo and mode push no way; extremes are clamped to 4 deviations.
    const auto unknown = model.embed(track(10.0f, 0, Mode::unknown));
    EXPECT_NEAR(unknown[0], 4, 1e-5);
    EXPECT_NEAR(unknown[1], 0, 1e-5);
}

// One definition of standardisation: the mood model's explanation shows the
// very numbers a one-to-one similarity projection gives.
TEST(SimilarityModel, StandardisesExactlyAsTheMoodModel) {
    const std::string inputs = R"([
        {"name": "energy", "center": 0.4, "scale": 0.2},
        {"name": "bpm", "transform": "log", "unknown_if_zero": true, "center": 4.7, "scale": 0.3},
        {"name": "mode", "transform": "minor", "center": 0.4, "scale": 0.5},
        {"name": "brightness", "center": 1500, "scale": 400}])";
    const MoodModel moods = MoodModel::parse(R"({"format": "vibed-mood-model", "version": 1, "inputs": )" + inputs +
                                                 R"(, "valence": {"intercept": 0, "weights": [1, 1, 1, 1]},
        "arousal": {"intercept": 0, "weights": [1, 1, 1, 1]},
        "moods": {"intercepts": [0, 0, 0, 0], "weights": [[1,1,1,1],[0,0,0,0],[0,0,0,0],[0,0,0,0]]}})",
                                             "moods.json");
    const SimilarityModel space = SimilarityModel::parse(
        R"({"format": "vibed-similarity-model", "version": 1, "inputs": )" + inputs +
            R"(, "dimensions": 4, "projection": [[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]})",
        "space.json");
    TrackInputValues values = track(0.9f, 96, Mode::major);
    values.features.brightness = 2400;
    const auto vector = space.embed(values);
    const auto explanation = moods.explain(values, MoodModel::Scale::valence);
    for (const auto& term : explanation.terms) {
        const auto names = space.inputs().names();
        const auto at = static_cast<std::size_t>(std::find(names.begin(), names.end(), term.input) - names.begin());
        ASSERT_LT(at, vector.size()) << term.input;
        EXPECT_NEAR(vector[at], term.standardised, 1e-6) << term.input;
    }
}

void expect_refused(const std::string& text, const std::string& reason) {
    try {
        (void)SimilarityModel::parse(text, "bad.json");
        ADD_FAILURE() << "accepted: " << text;
    } catch (const SimilarityModelError& e) {
        const std::string message = e.what();
        EXPECT_EQ(message.rfind("bad.json: ", 0), 0u) << message;
        EXPECT_NE(message.find(reason), std::string::npos) << message;
    }
}

TEST(SimilarityModel, RefusesBadFilesWithTheFileAndTheReason) {
    const std::string head = R"({"format": "vibed-similarity-model", "version": 1, )";
    const std::string one_input = R"("inputs": [{"name": "energy", "center": 0.5, "scale": 0.2}], )";
    expect_refused(R"({"format": "vibed-mood-model", "version": 1})", "not a vibed similarity model");
    expect_refused("{not json", "parse error");
    expect_refused(head + one_input + R"("dimensions": 2, "projection": [[1]]})", "1 rows for 2 dimensions");
    expect_refused(head + one_input + R"("dimensions": 1, "projection": [[1, 2]]})", "2 weights for 1 inputs");
    expect_refused(head + one_input + R"("dimensions": 0, "projection": []})", "between 1 and");
    expect_refused(head + R"("inputs": [{"name": "loudness_war", "center": 0, "scale": 1}], "dimensions": 1,
                              "projection": [[1]]})",
                   "neither an attribute nor a musical feature");
    expect_refused(head + R"("inputs": [{"name": "energy", "center": 0, "scale": 0}], "dimensions": 1,
                              "projection": [[1]]})",
                   "positive scale");
    expect_refused(head + R"("inputs": [], "dimensions": 1, "projection": [[]]})", "no inputs");
    expect_refused(head + one_input + R"("projection": [[1]]})", "dimensions");
}

TEST(SimilarityModel, LoadNamesAMissingFileAndHashesAGoodOne) {
    vibed::test::ScratchDir dir;
    EXPECT_THROW(SimilarityModel::load(dir / "absent.json"), SimilarityModelError);
    {
        std::ofstream out(dir / "space.json");
        out << kTinyModel;
    }
    const SimilarityModel model = SimilarityModel::load(dir / "space.json");
    EXPECT_EQ(model.sha256().size(), 64u);
    EXPECT_FALSE(resolve_similarity_model("none").has_value());
    EXPECT_EQ(*resolve_similarity_model((dir / "space.json").string()), dir / "space.json");
    EXPECT_THROW(resolve_similarity_model("no-such-space"), SimilarityModelError);
}

// The bundled model (model/similarity.json, learned by model/train_similarity.py)
// gives in C++ the vectors the trainer computed for the same inputs
// (tests/golden/similarity_golden.json, written by that script).
TEST(SimilarityModel, TheBundledModelMatchesItsTrainingGoldens) {
    const std::filesystem::path source = VIBED_SOURCE_DIR;
    const SimilarityModel model = SimilarityModel::load(source / "model/similarity.json");
    std::ifstream in(source / "tests/golden/similarity_golden.json");
    ASSERT_TRUE(in) << "re-run /usr/bin/python3 model/train_similarity.py";
    const auto golden = nlohmann::json::parse(in);
    ASSERT_GE(golden.at("cases").size(), 4u);
    for (const auto& c : golden.at("cases")) {
        TrackInputValues values;
        for (const auto& [name, value] : c.at("inputs").items()) {
            if (const auto a = attribute_index(name)) values.attributes.at(*a) = value.get<float>();
            if (const auto f = feature_index(name)) set_feature_value(values.features, *f, value.get<double>());
        }
        const auto vector = model.embed(values);
        const auto expected = c.at("vector").get<std::vector<double>>();
        ASSERT_EQ(vector.size(), expected.size());
        ASSERT_EQ(vector.size(), model.dimensions());
        for (std::size_t d = 0; d < vector.size(); ++d) EXPECT_NEAR(vector[d], expected[d], 1e-5) << "dimension " << d;
    }
}

}  // namespace
}  // namespace vibed::core
