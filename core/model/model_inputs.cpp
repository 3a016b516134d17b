#include "core/model/model_inputs.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace vibed::core {
namespace {

using nlohmann::json;

constexpr double kMaxStandardised = 4;

ModelInputs::Transform parse_transform(const std::string& text, const std::string& source) {
    if (text == "identity") return ModelInputs::Transform::identity;
    if (text == "log") return ModelInputs::Transform::log;
    if (text == "minor") return ModelInputs::Transform::minor;
    throw ModelInputsError(source + ": unknown input transform '" + text + "' (identity, log or minor)");
}

ModelInputs::Input parse_input(const json& entry, const std::string& source) {
    ModelInputs::Input input;
    const std::string name = entry.at("name").get<std::string>();
    if (const auto attribute = attribute_index(name)) {
        input = {kAttributeNames[*attribute], true, *attribute};
    } else if (const auto feature = feature_index(name)) {
        input = {kFeatureNames[*feature], false, *feature};
    } else {
        throw ModelInputsError(source + ": input '" + name + "' is neither an attribute nor a musical feature");
    }
    input.transform = parse_transform(entry.value("transform", std::string("identity")), source);
    input.unknown_if_zero = entry.value("unknown_if_zero", false);
    input.center = entry.at("center").get<double>();
    input.scale = entry.at("scale").get<double>();
    if (!std::isfinite(input.center) || !std::isfinite(input.scale) || input.scale <= 0) {
        throw ModelInputsError(source + ": input '" + name + "' needs a finite center and a positive scale");
    }
    return input;
}

}  // namespace

ModelInputs ModelInputs::parse(const json& inputs, const std::string& source) {
    if (!inputs.is_array()) throw ModelInputsError(source + ": \"inputs\" must be an array");
    ModelInputs parsed;
    for (const auto& entry : inputs) parsed.inputs_.push_back(parse_input(entry, source));
    return parsed;
}

std::vector<std::string_view> ModelInputs::names() const {
    std::vector<std::string_view> names;
    for (const Input& input : inputs_) names.push_back(input.name);
    return names;
}

double ModelInputs::raw_value(std::size_t i, const TrackInputValues& values) const {
    const Input& input = inputs_[i];
    return input.is_attribute ? static_cast<double>(values.attributes.at(input.index))
                              : feature_value(values.features, input.index);
}

std::vector<double> ModelInputs::standardise(const TrackInputValues& values) const {
    std::vector<double> z;
    z.reserve(inputs_.size());
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
        const Input& input = inputs_[i];
        const double x = raw_value(i, values);
        if (!std::isfinite(x) || (input.unknown_if_zero && x == 0)) {
            z.push_back(0);  // unknown: the training mean, so it pushes no way
            continue;
        }
        double t = x;
        switch (input.transform) {
            case Transform::identity: break;
            case Transform::log: t = std::log(std::max(x, 1e-6)); break;
            case Transform::minor: t = x == static_cast<double>(Mode::minor) ? 1 : x == static_cast<double>(Mode::major) ? 0 : 0.5; break;
        }
        z.push_back(std::clamp((t - input.center) / input.scale, -kMaxStandardised, kMaxStandardised));
    }
    return z;
}

}  // namespace vibed::core
