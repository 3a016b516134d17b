#pragma once
// The standardised inputs shared by the models that read a track's stored
// attributes and musical features (the mood model, the similarity model):
// one definition of how a raw value becomes a number of training standard
// deviations, so both models see a track exactly alike.
//
// In a model file, "inputs" is an array of
//   {"name": "energy" | "bpm" | ..., "transform": "identity" | "log" | "minor",
//    "unknown_if_zero": false, "center": c, "scale": s}
// An input's standardised value is clamp((transform(x) - center) / scale, -4, 4),
// or 0 (the training mean) when the raw value is unknown.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/features/musical_features.hpp"
#include "core/model/attributes.hpp"

namespace vibed::core {

// What these models read of one track.
struct TrackInputValues {
    Attributes attributes;
    MusicalFeatures features;
};

// A model file's "inputs" are wrong; what() names the source and the input.
class ModelInputsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ModelInputs {
public:
    enum class Transform { identity, log, minor };
    struct Input {
        std::string_view name;
        bool is_attribute = false;
        std::size_t index = 0;  // in kAttributeNames or kFeatureNames
        Transform transform = Transform::identity;
        bool unknown_if_zero = false;
        double center = 0;
        double scale = 1;
    };

    ModelInputs() = default;
    // `inputs` is the file's "inputs" array; `source` names the file in errors.
    // Throws ModelInputsError (and nlohmann::json exceptions for missing keys).
    static ModelInputs parse(const nlohmann::json& inputs, const std::string& source);

    [[nodiscard]] std::size_t size() const { return inputs_.size(); }
    [[nodiscard]] const std::vector<Input>& inputs() const { return inputs_; }
    [[nodiscard]] std::vector<std::string_view> names() const;

    // The track's value of input `i`, as stored (before any transform).
    [[nodiscard]] double raw_value(std::size_t i, const TrackInputValues& values) const;
    // Every input standardised, in order.
    [[nodiscard]] std::vector<double> standardise(const TrackInputValues& values) const;

private:
    std::vector<Input> inputs_;
};

}  // namespace vibed::core
