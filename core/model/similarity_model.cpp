#include "core/model/similarity_model.hpp"

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

constexpr std::string_view kFormat = "vibed-similarity-model";
constexpr int kFormatVersion = 1;
// A vector is stored per track: more than this is not "compact" any more.
constexpr std::size_t kMaxDimensions = 1024;

}  // namespace

SimilarityModel SimilarityModel::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw SimilarityModelError(file.string() + ": cannot read the similarity model");
    std::ostringstream text;
    text << in.rdbuf();
    SimilarityModel model = parse(text.str(), file.string());
    model.sha256_ = sha256_file(file);
    return model;
}

SimilarityModel SimilarityModel::parse(std::string_view json_text, const std::string& source) {
    SimilarityModel model;
    try {
        const json document = json::parse(json_text);
        if (document.value("format", std::string()) != kFormat || document.value("version", 0) != kFormatVersion) {
            throw SimilarityModelError(source + ": not a vibed similarity model (format \"" + std::string(kFormat) +
                                       "\", version " + std::to_string(kFormatVersion) + ")");
        }
        model.name_ = document.value("name", std::string("similarity"));
        model.inputs_ = ModelInputs::parse(document.at("inputs"), source);
        if (model.inputs_.size() == 0) throw SimilarityModelError(source + ": the similarity model has no inputs");
        const auto dimensions = document.at("dimensions").get<std::int64_t>();
        if (dimensions < 1 || static_cast<std::size_t>(dimensions) > kMaxDimensions) {
            throw SimilarityModelError(source + ": \"dimensions\" must be between 1 and " + std::to_string(kMaxDimensions));
        }
        model.projection_ = document.at("projection").get<std::vector<std::vector<double>>>();
        if (model.projection_.size() != static_cast<std::size_t>(dimensions)) {
            throw SimilarityModelError(source + ": \"projection\" has " + std::to_string(model.projection_.size()) +
                                       " rows for " + std::to_string(dimensions) + " dimensions");
        }
        for (std::size_t row = 0; row < model.projection_.size(); ++row) {
            const auto& weights = model.projection_[row];
            if (weights.size() != model.inputs_.size()) {
                throw SimilarityModelError(source + ": projection row " + std::to_string(row) + " has " +
                                           std::to_string(weights.size()) + " weights for " +
                                           std::to_string(model.inputs_.size()) + " inputs");
            }
            if (!std::all_of(weights.begin(), weights.end(), [](double w) { return std::isfinite(w); })) {
                throw SimilarityModelError(source + ": projection row " + std::to_string(row) +
                                           " has a weight that is not a finite number");
            }
        }
    } catch (const SimilarityModelError&) {
        throw;
    } catch (const ModelInputsError& e) {
        throw SimilarityModelError(e.what());
    } catch (const json::exception& e) {
        throw SimilarityModelError(source + ": " + e.what());
    }
    return model;
}

std::vector<float> SimilarityModel::embed(const TrackInputValues& inputs) const {
    const std::vector<double> z = inputs_.standardise(inputs);
    std::vector<float> vector;
    vector.reserve(projection_.size());
    for (const auto& weights : projection_) {
        vector.push_back(static_cast<float>(std::inner_product(weights.begin(), weights.end(), z.begin(), 0.0)));
    }
    return vector;
}

}  // namespace vibed::core
