#include "core/model/mood_model.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/model/file_digest.hpp"

namespace vibed::core {
namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "vibed-mood-model";
constexpr int kFormatVersion = 1;

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

std::vector<double> parse_weights(const json& weights, std::size_t inputs, const std::string& source,
                                  const std::string& head) {
    auto values = weights.get<std::vector<double>>();
    if (values.size() != inputs) {
        throw MoodModelError(source + ": head '" + head + "' has " + std::to_string(values.size()) +
                             " weights for " + std::to_string(inputs) + " inputs");
    }
    if (!std::all_of(values.begin(), values.end(), [](double w) { return std::isfinite(w); })) {
        throw MoodModelError(source + ": head '" + head + "' has a weight that is not a finite number");
    }
    return values;
}

MoodModel::Head parse_head(const json& head, std::size_t inputs, const std::string& source, const std::string& name) {
    return {head.at("intercept").get<double>(), parse_weights(head.at("weights"), inputs, source, name)};
}

double dot(const std::vector<double>& weights, const std::vector<double>& z) {
    return std::inner_product(weights.begin(), weights.end(), z.begin(), 0.0);
}

}  // namespace

MoodModel MoodModel::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw MoodModelError(file.string() + ": cannot read the mood model");
    std::ostringstream text;
    text << in.rdbuf();
    MoodModel model = parse(text.str(), file.string());
    model.sha256_ = sha256_file(file);
    return model;
}

MoodModel MoodModel::parse(std::string_view json_text, const std::string& source) {
    MoodModel model;
    try {
        const json document = json::parse(json_text);
        if (document.value("format", std::string()) != kFormat || document.value("version", 0) != kFormatVersion) {
            throw MoodModelError(source + ": not a vibed mood model (format \"" + std::string(kFormat) +
                                 "\", version " + std::to_string(kFormatVersion) + ")");
        }
        model.name_ = document.value("name", std::string("moods"));
        model.inputs_ = ModelInputs::parse(document.at("inputs"), source);
        const std::size_t count = model.inputs_.size();
        model.valence_ = parse_head(document.at("valence"), count, source, "valence");
        model.arousal_ = parse_head(document.at("arousal"), count, source, "arousal");
        const json& moods = document.at("moods");
        const auto intercepts = moods.at("intercepts").get<std::vector<double>>();
        const json& weights = moods.at("weights");
        if (intercepts.size() != kMoodCount || weights.size() != kMoodCount) {
            throw MoodModelError(source + ": head 'moods' needs " + std::to_string(kMoodCount) + " rows");
        }
        for (std::size_t k = 0; k < kMoodCount; ++k) {
            model.moods_[k] = {intercepts[k], parse_weights(weights[k], count, source, std::string(kMoodNames[k]))};
        }
    } catch (const MoodModelError&) {
        throw;
    } catch (const ModelInputsError& e) {
        throw MoodModelError(e.what());
    } catch (const json::exception& e) {
        throw MoodModelError(source + ": " + e.what());
    }
    model.sha256_ = "";  // load() sets the file's digest; parsed text has none
    return model;
}

std::array<double, kMoodCount> MoodModel::mood_logits(const std::vector<double>& z) const {
    std::array<double, kMoodCount> logits{};
    for (std::size_t k = 0; k < kMoodCount; ++k) logits[k] = moods_[k].intercept + dot(moods_[k].weights, z);
    return logits;
}

Moods MoodModel::predict(const MoodInputValues& inputs) const {
    const std::vector<double> z = inputs_.standardise(inputs);
    Moods moods;
    moods.valence = static_cast<float>(sigmoid(valence_.intercept + dot(valence_.weights, z)));
    moods.arousal = static_cast<float>(sigmoid(arousal_.intercept + dot(arousal_.weights, z)));
    const auto logits = mood_logits(z);
    const double top = *std::max_element(logits.begin(), logits.end());
    double total = 0;
    std::array<double, kMoodCount> e{};
    for (std::size_t k = 0; k < kMoodCount; ++k) total += e[k] = std::exp(logits[k] - top);
    for (std::size_t k = 0; k < kMoodCount; ++k) moods.probabilities[k] = static_cast<float>(e[k] / total);
    return moods;
}

MoodExplanation MoodModel::explain_terms(const MoodInputValues& inputs, const std::vector<double>& weights,
                                         double intercept, double probability) const {
    const std::vector<double> z = inputs_.standardise(inputs);
    MoodExplanation explanation;
    explanation.probability = probability;
    explanation.baseline = intercept;
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
        explanation.terms.push_back({inputs_.inputs()[i].name, inputs_.raw_value(i, inputs), z[i], weights[i] * z[i]});
    }
    std::stable_sort(explanation.terms.begin(), explanation.terms.end(), [](const MoodTerm& a, const MoodTerm& b) {
        return std::abs(a.contribution) > std::abs(b.contribution);
    });
    return explanation;
}

std::vector<MoodTerm> MoodExplanation::leading_terms(std::size_t most) const {
    std::vector<MoodTerm> leading;
    for (const auto& term : terms) {
        if (leading.size() == most || std::abs(term.contribution) < kNegligibleContribution) break;
        leading.push_back(term);
    }
    return leading;
}

MoodExplanation MoodModel::explain(const MoodInputValues& inputs, Mood mood) const {
    // Softmax probabilities only depend on differences between logits, so the
    // honest per-input share of one mood is its weight minus the mean weight.
    const std::size_t chosen = static_cast<std::size_t>(mood);
    std::vector<double> centred(inputs_.size(), 0.0);
    double intercept = moods_[chosen].intercept;
    for (std::size_t k = 0; k < kMoodCount; ++k) intercept -= moods_[k].intercept / kMoodCount;
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
        double mean = 0;
        for (std::size_t k = 0; k < kMoodCount; ++k) mean += moods_[k].weights[i] / kMoodCount;
        centred[i] = moods_[chosen].weights[i] - mean;
    }
    return explain_terms(inputs, centred, intercept, predict(inputs).probabilities[chosen]);
}

MoodExplanation MoodModel::explain(const MoodInputValues& inputs, Scale scale) const {
    const Head& head = scale == Scale::valence ? valence_ : arousal_;
    const Moods moods = predict(inputs);
    return explain_terms(inputs, head.weights, head.intercept, scale == Scale::valence ? moods.valence : moods.arousal);
}

}  // namespace vibed::core
