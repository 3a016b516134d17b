#include "core/analysis/front_end.hpp"

#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace vibed::core {
namespace {

// A track must be this many times longer than its excerpts together before
// excerpts pay: below it, the excerpts would cover most of the track anyway.
constexpr double kMinCoverageRatio = 1.5;

FrontEnd excerpts_front_end(std::string name, std::size_t count, double seconds, ExcerptClips clips) {
    FrontEnd front_end;
    front_end.excerpt_clips = clips;
    front_end.name = std::move(name);
    front_end.excerpts = count;
    front_end.excerpt_seconds = seconds;
    front_end.min_track_seconds = static_cast<double>(count) * seconds * kMinCoverageRatio;
    return front_end;
}

}  // namespace

std::vector<FrontEnd::Excerpt> FrontEnd::plan(const AudioFormat& format) const {
    if (excerpts == 0 || !format.frames || format.sample_rate <= 0) return {};
    const auto total = *format.frames;
    if (static_cast<double>(total) < min_track_seconds * format.sample_rate) return {};
    const auto length = static_cast<std::int64_t>(std::llround(excerpt_seconds * format.sample_rate));
    std::vector<Excerpt> result;
    // Excerpt i is centred at (i + 0.5) / count of the track: evenly spread,
    // clear of the very start and end (intros and fade-outs weigh no more
    // than any other part of the track).
    for (std::size_t i = 0; i < excerpts; ++i) {
        const double centre = (static_cast<double>(i) + 0.5) / static_cast<double>(excerpts) * static_cast<double>(total);
        const auto first = std::max<std::int64_t>(0, static_cast<std::int64_t>(centre) - length / 2);
        result.push_back({first, std::min(length, total - first)});
    }
    return result;
}

FrontEnd front_end_named(std::string_view name) {
    if (name == "vibenet") return FrontEnd{};
    if (name == "fast-decoders") {
        FrontEnd fast;
        fast.name = "fast-decoders";
        fast.decoders = Decoders::fastest;
        return fast;
    }
    // The student's: 6 excerpts of 15 s (90 s) of any track over 135 s.
    if (name == "excerpts") return excerpts_front_end("excerpts", 6, 15.0, ExcerptClips::joined);
    throw std::invalid_argument("unknown front end '" + std::string(name) + "' (known: vibenet, excerpts, fast-decoders)");
}

FrontEnd front_end_for_model(const std::filesystem::path& model_file) {
    const std::filesystem::path sidecar = std::filesystem::path(model_file).replace_extension(".json");
    std::ifstream in(sidecar);
    if (!in) return FrontEnd{};
    try {
        const nlohmann::json description = nlohmann::json::parse(in);
        if (!description.is_object() || !description.contains("front_end")) return FrontEnd{};
        return front_end_named(description.at("front_end").get<std::string>());
    } catch (const std::exception& e) {
        throw std::runtime_error(sidecar.string() + ": " + e.what());
    }
}

FrontEnd parse_excerpt_front_end(std::string_view spec) {
    const auto x = spec.find('x');
    const auto colon = spec.find(':');
    try {
        if (x == std::string_view::npos || (colon != std::string_view::npos && colon < x)) throw std::invalid_argument("no x");
        const std::string_view mode = colon == std::string_view::npos ? "joined" : spec.substr(colon + 1);
        const ExcerptClips clips = mode == "own"      ? ExcerptClips::own_reference
                                   : mode == "shared" ? ExcerptClips::shared_reference
                                   : mode == "joined" ? ExcerptClips::joined
                                                      : throw std::invalid_argument("mode");
        std::size_t parsed = 0;
        const std::string count_text(spec.substr(0, x));
        const std::size_t count = std::stoul(count_text, &parsed);
        if (parsed != count_text.size()) throw std::invalid_argument("count");
        const std::string seconds_text(spec.substr(x + 1, colon == std::string_view::npos ? std::string_view::npos : colon - x - 1));
        const double seconds = std::stod(seconds_text, &parsed);
        if (parsed != seconds_text.size()) throw std::invalid_argument("seconds");
        if (count == 0 || !(seconds > 0.1) || static_cast<double>(count) * seconds > 600) throw std::invalid_argument("range");
        return excerpts_front_end("excerpts " + std::string(spec), count, seconds, clips);
    } catch (const std::exception&) {
        throw std::invalid_argument("not COUNTxSECONDS[:own|shared|joined] (e.g. 6x15:own): '" + std::string(spec) + "'");
    }
}

}  // namespace vibed::core
