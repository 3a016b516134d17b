#include "core/analysis/track_analyzer.hpp"

#include <array>
#include <cmath>
#include <vector>

#include "core/audio/mono_stream.hpp"
#include "core/audio/source_file.hpp"
#include "core/features/feature_extractor.hpp"
#include "core/tags/tag_reader.hpp"

namespace vibed::core {
namespace {

constexpr std::size_t kReadBlockSamples = 1 << 15;

struct StreamResult {
    std::size_t samples = 0;  // 16 kHz samples read
    MusicalFeatures features;
};

// Streams a file through the front end, handing every finished clip of at most
// `clip_frames` frames to `on_clip`, and measures the musical features in the
// same pass.
template <typename OnClip>
StreamResult stream_log_mel(std::unique_ptr<AudioDecoder> decoder, const std::filesystem::path& file,
                            std::size_t clip_frames, OnClip&& on_clip) {
    MonoStream stream(std::move(decoder), file, kFeatureSampleRate);
    LogMelExtractor extractor;
    MusicalFeatureExtractor features(stream.source_format());
    features.attach(stream, extractor);
    std::vector<float> block(kReadBlockSamples);
    std::size_t samples = 0;
    while (const std::size_t count = stream.read(block)) {
        samples += count;
        extractor.push(std::span<const float>(block.data(), count));
        while (extractor.pending_frames() >= clip_frames) on_clip(extractor.take(clip_frames));
    }
    LogMel rest = extractor.finish();
    if (rest.frames > 0) on_clip(std::move(rest));
    return {samples, features.finish()};
}

// Rethrows whatever went wrong as one line that starts with the file name.
[[noreturn]] void rethrow_for(const std::filesystem::path& file) {
    try {
        throw;
    } catch (const AnalysisError&) {
        throw;
    } catch (const AudioError& e) {
        throw AnalysisError(e.what(), e.transient());  // already names the file
    } catch (const std::bad_alloc&) {
        throw AnalysisError(file.string() + ": out of memory", /*transient=*/true);
    } catch (const std::exception& e) {
        throw AnalysisError(file.string() + ": " + e.what());
    }
}

}  // namespace

TrackAnalyzer::TrackAnalyzer(std::shared_ptr<const AttributeModel> model, AnalysisOptions options)
    : model_(std::move(model)), options_(options) {}

TrackAnalysis TrackAnalyzer::analyze(const std::filesystem::path& file) const {
    TrackAnalysis result;
    const auto segment_frames = static_cast<std::size_t>(
        std::max(1.0, std::floor(options_.segment_seconds * kFeatureSampleRate / kHopLength)));
    try {
        model_->ensure_loaded();
    } catch (const ModelError& e) {
        // The model's fault, not the file's: never recorded against the file.
        throw AnalysisError(file.string() + ": cannot analyse: " + e.what(), /*transient=*/true);
    }
    try {
        // Opened once, and checked to be a regular file, for tags and audio.
        auto source = std::make_unique<SourceFile>(file);
        result.tags = read_tags(*source);
        std::array<double, kAttributeCount> weighted_logits{};
        std::size_t total_frames = 0;
        const StreamResult streamed = stream_log_mel(open_audio(std::move(source)), file, segment_frames, [&](const LogMel& clip) {
            const Logits logits = model_->logits(clip);
            for (std::size_t i = 0; i < kAttributeCount; ++i) weighted_logits[i] += logits[i] * clip.frames;
            total_frames += clip.frames;
            ++result.segments;
        });
        Logits mean_logits{};
        for (std::size_t i = 0; i < kAttributeCount; ++i) {
            mean_logits[i] = static_cast<float>(weighted_logits[i] / static_cast<double>(total_frames));
        }
        result.attributes = Attributes::from_logits(mean_logits);
        result.features = streamed.features;
        result.audio_seconds = static_cast<double>(streamed.samples) / kFeatureSampleRate;
    } catch (...) {
        rethrow_for(file);
    }
    if (result.tags.duration_seconds <= 0) result.tags.duration_seconds = result.audio_seconds;
    if (options_.mood_model) result.moods = options_.mood_model->predict({result.attributes, result.features});
    if (options_.similarity_model) result.vector = options_.similarity_model->embed({result.attributes, result.features});
    return result;
}

LogMel compute_file_log_mel(const std::filesystem::path& file) {
    try {
        LogMel whole;
        stream_log_mel(open_audio(file), file, static_cast<std::size_t>(-1), [&](LogMel clip) { whole = std::move(clip); });
        return whole;
    } catch (...) {
        rethrow_for(file);
    }
}

MusicalFeatures compute_file_features(const std::filesystem::path& file) {
    try {
        return stream_log_mel(open_audio(file), file, 1024, [](const LogMel&) {}).features;
    } catch (...) {
        rethrow_for(file);
    }
}

}  // namespace vibed::core
