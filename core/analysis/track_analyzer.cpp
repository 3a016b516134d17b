#include "core/analysis/track_analyzer.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include "core/audio/mono_stream.hpp"
#include "core/audio/source_file.hpp"
#include "core/features/feature_extractor.hpp"
#include "core/tags/tag_reader.hpp"

namespace vibed::core {
namespace {

constexpr std::size_t kReadBlockSamples = 1 << 15;

// Streams a decoder through the front end, handing every finished clip of at
// most `clip_frames` frames to `on_clip`, with the musical features measured
// in the same pass. Returns the 16 kHz samples read.
template <typename OnClip>
std::size_t stream_log_mel(std::unique_ptr<AudioDecoder> decoder, const std::filesystem::path& file,
                           std::size_t clip_frames, MusicalFeatureExtractor& features, OnClip&& on_clip,
                           TopDb top_db = TopDb::own_clip) {
    MonoStream stream(std::move(decoder), file, kFeatureSampleRate);
    LogMelExtractor extractor;
    features.attach(stream, extractor);
    std::vector<float> block(kReadBlockSamples);
    std::size_t samples = 0;
    while (const std::size_t count = stream.read(block)) {
        samples += count;
        extractor.push(std::span<const float>(block.data(), count));
        while (extractor.pending_frames() >= clip_frames) on_clip(extractor.take(clip_frames, top_db));
    }
    LogMel rest = extractor.finish(top_db);
    if (rest.frames > 0) on_clip(std::move(rest));
    return samples;
}

// One excerpt of a decoder it does not own: reads stop after `frames`.
// Counts what it read into `frames_read`, which outlives it.
class ExcerptDecoder final : public AudioDecoder {
public:
    ExcerptDecoder(AudioDecoder& whole, std::int64_t frames, std::int64_t& frames_read)
        : whole_(whole), remaining_(frames), frames_read_(frames_read) {}
    [[nodiscard]] const AudioFormat& format() const override { return whole_.format(); }
    std::size_t read(float* interleaved, std::size_t max_frames) override {
        const auto wanted = std::min<std::int64_t>(remaining_, static_cast<std::int64_t>(max_frames));
        if (wanted <= 0) return 0;
        const std::size_t got = whole_.read(interleaved, static_cast<std::size_t>(wanted));
        remaining_ = got == 0 ? 0 : remaining_ - static_cast<std::int64_t>(got);
        frames_read_ += static_cast<std::int64_t>(got);
        return got;
    }

private:
    AudioDecoder& whole_;
    std::int64_t remaining_;
    std::int64_t& frames_read_;
};

// Moves `decoder` from `position` to `target` (>= position): a seek where the
// backend can, else reading and discarding. Returns the new position, less
// than `target` when the stream ended first.
std::int64_t advance_to(AudioDecoder& decoder, std::int64_t position, std::int64_t target) {
    if (target == position || decoder.seek(target)) return target;
    constexpr std::size_t kDiscardFrames = 4096;
    std::vector<float> scratch(kDiscardFrames * static_cast<std::size_t>(decoder.format().channels));
    while (position < target) {
        const std::size_t got =
            decoder.read(scratch.data(), static_cast<std::size_t>(std::min<std::int64_t>(target - position, kDiscardFrames)));
        if (got == 0) break;
        position += static_cast<std::int64_t>(got);
    }
    return position;
}

// Hands the excerpts' clips (no top-dB floor yet) to the model with one
// reference, the loudest value of them all (the whole track's is not known
// without decoding it all): each on its own, or joined into clips of at most
// `clip_frames` frames.
template <typename OnClip>
void hand_over_excerpts(std::vector<LogMel>& clips, ExcerptClips how, std::size_t clip_frames, OnClip&& on_clip) {
    float reference = -std::numeric_limits<float>::infinity();
    for (const LogMel& clip : clips) reference = std::max(reference, max_db(clip));
    for (LogMel& clip : clips) apply_top_db(clip, reference);
    if (how == ExcerptClips::shared_reference) {
        for (const LogMel& clip : clips) on_clip(clip);
        return;
    }
    std::size_t first = 0;
    std::size_t frames = 0;
    for (std::size_t i = 0; i <= clips.size(); ++i) {
        if (i == clips.size() || (frames > 0 && frames + clips[i].frames > clip_frames)) {
            if (frames > 0) on_clip(join_clips(std::span<const LogMel>(clips).subspan(first, i - first)));
            first = i;
            frames = 0;
        }
        if (i < clips.size()) frames += clips[i].frames;
    }
}

struct ExcerptPass {
    std::size_t samples = 0;  // 16 kHz samples analysed
    // The stream ended before the excerpts the container's length promised
    // (a header that lies, a truncated file).
    bool ended_short = false;
};

// The front end's excerpts of a long track, each streamed as its own signal
// (fresh resampler and log-mel state: no frame spans two excerpts).
template <typename OnClip>
ExcerptPass stream_excerpts(AudioDecoder& decoder, const FrontEnd& front_end, const std::vector<FrontEnd::Excerpt>& excerpts,
                            const std::filesystem::path& file, std::size_t clip_frames, MusicalFeatureExtractor& features,
                            OnClip&& on_clip) {
    const bool own_reference = front_end.excerpt_clips == ExcerptClips::own_reference;
    std::vector<LogMel> held;  // the excerpts' clips until the last one (90 s: 2.3 MB)
    const auto hold = [&](LogMel clip) {
        if (own_reference) {
            on_clip(clip);
        } else {
            held.push_back(std::move(clip));
        }
    };
    ExcerptPass pass;
    std::int64_t position = 0;
    for (const auto& excerpt : excerpts) {
        position = advance_to(decoder, position, excerpt.first_frame);
        if (position < excerpt.first_frame) {
            pass.ended_short = true;
            break;
        }
        std::int64_t read = 0;
        pass.samples += stream_log_mel(std::make_unique<ExcerptDecoder>(decoder, excerpt.frames, read), file,
                                       clip_frames, features, hold, own_reference ? TopDb::own_clip : TopDb::none);
        position += read;
        if (read < excerpt.frames) {
            pass.ended_short = true;
            break;
        }
    }
    if (!own_reference) hand_over_excerpts(held, front_end.excerpt_clips, clip_frames, on_clip);
    return pass;
}

// Segments combine like the logits: each one's embedding weighted by its length.
void add_weighted(std::vector<double>& sums, const std::vector<float>& embedding, std::size_t frames,
                  const std::filesystem::path& file) {
    if (sums.empty()) sums.assign(embedding.size(), 0.0);
    if (embedding.size() != sums.size()) {
        throw AnalysisError(file.string() + ": the model's embedding changed length between segments (" +
                            std::to_string(sums.size()) + ", then " + std::to_string(embedding.size()) + ")");
    }
    for (std::size_t i = 0; i < sums.size(); ++i) sums[i] += static_cast<double>(embedding[i]) * frames;
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

// The model's fault, not the file's: never recorded against the file.
void ensure_model_loaded(const AttributeModel& model, const std::filesystem::path& file) {
    try {
        model.ensure_loaded();
    } catch (const ModelError& e) {
        throw AnalysisError(file.string() + ": cannot analyse: " + e.what(), /*transient=*/true);
    }
}

// What the model and the feature extractors made of one pass over a track.
struct AudioPass {
    Attributes attributes;
    std::vector<float> embedding;
    MusicalFeatures features;
    double audio_seconds = 0;
    double analysed_seconds = 0;
    std::size_t segments = 0;
    bool ended_short = false;  // the stream held less than `format` said
};

// Streams `decoder` through the front end and the model. `format` is the
// decoder's, or the same without the length a previous pass disproved.
AudioPass analyse_audio(std::unique_ptr<AudioDecoder> decoder, const AudioFormat& format, const AttributeModel& model,
                        const FrontEnd& front_end, std::size_t segment_frames, const std::filesystem::path& file) {
    AudioPass pass;
    MusicalFeatureExtractor features(format);
    std::array<double, kAttributeCount> weighted_logits{};
    std::vector<double> weighted_embedding;
    std::size_t total_frames = 0;
    const auto on_clip = [&](const LogMel& clip) {
        const ModelOutput output = model.analyse(clip);
        for (std::size_t i = 0; i < kAttributeCount; ++i) weighted_logits[i] += output.logits[i] * clip.frames;
        add_weighted(weighted_embedding, output.embedding, clip.frames, file);
        total_frames += clip.frames;
        ++pass.segments;
    };
    const auto excerpts = front_end.plan(format);
    std::size_t samples = 0;
    if (excerpts.empty()) {
        samples = stream_log_mel(std::move(decoder), file, segment_frames, features, on_clip);
        pass.audio_seconds = static_cast<double>(samples) / kFeatureSampleRate;
    } else {
        const ExcerptPass read = stream_excerpts(*decoder, front_end, excerpts, file, segment_frames, features, on_clip);
        samples = read.samples;
        pass.ended_short = read.ended_short;
        pass.audio_seconds = static_cast<double>(*format.frames) / format.sample_rate;
    }
    if (total_frames == 0 && !pass.ended_short) throw AnalysisError(file.string() + ": no audio in the excerpts read");
    Logits mean_logits{};
    for (std::size_t i = 0; i < kAttributeCount; ++i) {
        mean_logits[i] = static_cast<float>(weighted_logits[i] / static_cast<double>(std::max<std::size_t>(total_frames, 1)));
    }
    pass.attributes = Attributes::from_logits(mean_logits);
    pass.embedding.reserve(weighted_embedding.size());
    for (const double sum : weighted_embedding) pass.embedding.push_back(static_cast<float>(sum / static_cast<double>(total_frames)));
    pass.features = features.finish();
    pass.analysed_seconds = static_cast<double>(samples) / kFeatureSampleRate;
    return pass;
}

}  // namespace

TrackAnalyzer::TrackAnalyzer(std::shared_ptr<const AttributeModel> model, AnalysisOptions options)
    : model_(std::move(model)), options_(options) {}

TrackAnalysis TrackAnalyzer::analyze(const std::filesystem::path& file) const {
    TrackAnalysis result;
    const auto segment_frames = static_cast<std::size_t>(
        std::max(1.0, std::floor(options_.segment_seconds * kFeatureSampleRate / kHopLength)));
    ensure_model_loaded(*model_, file);
    try {
        // Opened once, and checked to be a regular file, for tags and audio.
        // The decoder first: it refuses what is not audio at once, before
        // TagLib searches a 2 GB file of zeros for a tag. The decoder owns the
        // source; TagLib reads it with pread(), leaving its position alone.
        auto source = std::make_unique<SourceFile>(file);
        const SourceFile& opened = *source;
        auto decoder = open_audio(std::move(source), options_.front_end.decoders);
        result.tags = read_tags(opened);
        AudioFormat format = decoder->format();
        result.decoder = format.decoder;
        AudioPass pass = analyse_audio(std::move(decoder), format, *model_, options_.front_end, segment_frames, file);
        if (pass.ended_short) {
            // The container promised more than the stream holds (a header
            // claiming hours, a cut file): the excerpts were planned over
            // audio that is not there. The length is unknown, so the whole
            // stream is analysed, which costs what is really there.
            format.frames.reset();
            pass = analyse_audio(open_audio(file, options_.front_end.decoders), format, *model_, options_.front_end,
                                 segment_frames, file);
        }
        result.attributes = pass.attributes;
        result.embedding = std::move(pass.embedding);
        result.features = pass.features;
        result.audio_seconds = pass.audio_seconds;
        result.analysed_seconds = pass.analysed_seconds;
        result.segments = pass.segments;
    } catch (...) {
        rethrow_for(file);
    }
    // The length is what the stream held, never a header's claim (TagLib
    // reads the container's, which a 20 s M4A can state as 122 hours).
    result.tags.duration_seconds = result.audio_seconds;
    if (options_.mood_model) result.moods = options_.mood_model->predict({result.attributes, result.features});
    if (options_.similarity_model) result.vector = options_.similarity_model->embed({result.attributes, result.features});
    return result;
}

LogMel compute_file_log_mel(const std::filesystem::path& file) {
    try {
        LogMel whole;
        auto decoder = open_audio(file);
        MusicalFeatureExtractor features(decoder->format());
        stream_log_mel(std::move(decoder), file, static_cast<std::size_t>(-1), features,
                       [&](LogMel clip) { whole = std::move(clip); });
        return whole;
    } catch (...) {
        rethrow_for(file);
    }
}

MusicalFeatures compute_file_features(const std::filesystem::path& file) {
    try {
        auto decoder = open_audio(file);
        MusicalFeatureExtractor features(decoder->format());
        stream_log_mel(std::move(decoder), file, 1024, features, [](const LogMel&) {});
        return features.finish();
    } catch (...) {
        rethrow_for(file);
    }
}

}  // namespace vibed::core
