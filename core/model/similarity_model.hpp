#pragma once
// The similarity model: a track's place in a space where tracks that sound
// alike are close (Euclidean distance), for "more like this", radios and
// journeys. A linear projection of the same standardised inputs the mood
// model reads (core/model/model_inputs.hpp), learned by
// model/train_similarity.py; plain C++, no LibTorch.
//
// The file is JSON:
//   {"format": "vibed-similarity-model", "version": 1, "name": "...",
//    "inputs": [...],                          -- as the mood model's
//    "dimensions": k,
//    "projection": [[w per input] x k]}
// A track's vector is projection . z, z its standardised inputs.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/model_inputs.hpp"

namespace vibed::core {

class SimilarityModelError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class SimilarityModel {
public:
    // Throws SimilarityModelError naming the file and what is wrong with it.
    static SimilarityModel load(const std::filesystem::path& file);
    // `source` names the text in errors.
    static SimilarityModel parse(std::string_view json_text, const std::string& source);

    // The track's vector, dimensions() numbers.
    [[nodiscard]] std::vector<float> embed(const TrackInputValues& inputs) const;

    [[nodiscard]] std::size_t dimensions() const { return projection_.size(); }
    [[nodiscard]] const std::string& name() const { return name_; }
    // Hex sha256 of the file: the identity stored with every vector.
    [[nodiscard]] const std::string& sha256() const { return sha256_; }
    [[nodiscard]] const ModelInputs& inputs() const { return inputs_; }

private:
    SimilarityModel() = default;

    std::string name_;
    std::string sha256_;
    ModelInputs inputs_;
    std::vector<std::vector<double>> projection_;  // dimensions() rows of inputs_.size()
};

}  // namespace vibed::core
