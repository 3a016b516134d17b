#include "core/features/musical_features.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace vibed::core {
namespace {

constexpr std::array<std::string_view, 12> kPitchNames = {"C", "C#", "D", "D#", "E", "F",
                                                          "F#", "G", "G#", "A", "A#", "B"};

// Every field in kFeatureNames order, so that index access and names cannot drift apart.
template <typename Features, typename Visit>
void visit_field(Features& features, std::size_t index, Visit&& visit) {
    switch (index) {
        case 0: return visit(features.bpm);
        case 1: return visit(features.bpm_confidence);
        case 2: return visit(features.loudness);
        case 3: return visit(features.loudness_range);
        case 4: return visit(features.key);
        case 5: return visit(features.mode);
        case 6: return visit(features.key_strength);
        case 7: return visit(features.majorness);
        case 8: return visit(features.onset_rate);
        case 9: return visit(features.beat_regularity);
        case 10: return visit(features.brightness);
        case 11: return visit(features.noisiness);
        case 12: return visit(features.harmonic_change);
        default: throw std::out_of_range("musical feature index " + std::to_string(index));
    }
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

}  // namespace

double feature_value(const MusicalFeatures& features, std::size_t index) {
    double value = 0;
    visit_field(features, index, [&](const auto& field) {
        using Field = std::decay_t<decltype(field)>;
        if constexpr (std::is_same_v<Field, Mode>) {
            value = static_cast<double>(static_cast<int>(field));
        } else {
            value = static_cast<double>(field);
        }
    });
    return value;
}

void set_feature_value(MusicalFeatures& features, std::size_t index, double value) {
    visit_field(features, index, [&](auto& field) {
        using Field = std::decay_t<decltype(field)>;
        if constexpr (std::is_same_v<Field, Mode>) {
            const int code = static_cast<int>(value);
            field = code == 1 ? Mode::major : code == 2 ? Mode::minor : Mode::unknown;
        } else {
            field = static_cast<Field>(value);
        }
    });
}

std::optional<std::size_t> feature_index(std::string_view name) {
    const auto found = std::find(kFeatureNames.begin(), kFeatureNames.end(), name);
    if (found == kFeatureNames.end()) return std::nullopt;
    return static_cast<std::size_t>(found - kFeatureNames.begin());
}

std::string_view to_string(Mode mode) {
    switch (mode) {
        case Mode::major: return "major";
        case Mode::minor: return "minor";
        case Mode::unknown: break;
    }
    return "";
}

std::string key_name(int key, Mode mode) {
    if (key < 0 || key >= 12 || mode == Mode::unknown) return "";
    return std::string(kPitchNames[static_cast<std::size_t>(key)]) + " " + std::string(to_string(mode));
}

std::optional<std::pair<int, Mode>> parse_key_name(std::string_view text) {
    std::string s = lower(text);
    s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
    if (s.empty() || s[0] < 'a' || s[0] > 'g') return std::nullopt;
    constexpr std::array<int, 7> kNatural = {9, 11, 0, 2, 4, 5, 7};  // a b c d e f g
    int pitch = kNatural[static_cast<std::size_t>(s[0] - 'a')];
    std::size_t at = 1;
    // After the letter a '#' or 'b' is always an accidental: no mode word starts with either.
    if (at < s.size() && (s[at] == '#' || s[at] == 'b')) {
        pitch += s[at] == '#' ? 1 : -1;
        ++at;
    }
    pitch = (pitch + 12) % 12;
    const std::string rest = s.substr(at);
    Mode mode = Mode::unknown;
    if (rest == "major" || rest == "maj" || rest.empty()) {
        mode = Mode::major;
    } else if (rest == "minor" || rest == "min" || rest == "m") {
        mode = Mode::minor;
    } else {
        return std::nullopt;
    }
    return std::pair{pitch, mode};
}

}  // namespace vibed::core
