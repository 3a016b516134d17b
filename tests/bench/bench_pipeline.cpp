// bench_pipeline: how fast each stage of the analysis runs on ONE core.
//
//   bench_pipeline [--repeat N] [--warmup N] [--only STAGE,...] AUDIO_FILE MODEL_FILE
//
// Stages, each run N times on the same file:
//   decoder   the decoding backend alone (mpg123, libsndfile or FFmpeg)
//   ffmpeg    FFmpeg's decoder alone on the same file, whatever the backend
//             vibed picks for it (for MP3: mpg123 against FFmpeg's mp3float)
//   decode    decoding + downmix + soxr resampling to 16 kHz (MonoStream)
//   log-mel   the log-mel front end over the whole decoded signal
//   +features the same front end with the musical features attached (their
//             spectrum observer, plus EBU R128 loudness over the original
//             channels): "+features" minus "log-mel" is what they cost
//   loudness  the EBU R128 meter alone over the original channels and rate
//   model     one forward pass over that log-mel
//   total     TrackAnalyzer::analyze with the model's own front end (its JSON
//             sidecar), i.e. what `vibectl analyze` does per file
//   excerpts  the same over 6 excerpts of 15 s (the "excerpts" front end)
// and the median of each is printed as milliseconds and as "x real time"
// (seconds of audio per second of CPU, higher is faster).
//
// CPU time is the calling thread's (CLOCK_THREAD_CPUTIME_ID): LibTorch is
// limited to one intra-op thread, so every stage runs on this thread and its
// CPU time is what the stage costs, whatever else loads the machine. Wall time
// is printed next to it to show how much the machine's load stretched it.
// Not a test: nothing here asserts a speed.

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis/track_analyzer.hpp"
#include "core/audio/audio_decoder.hpp"
#include "core/audio/ffmpeg_decoder.hpp"
#include "core/audio/source_file.hpp"
#include "core/audio/mono_stream.hpp"
#include "core/features/feature_extractor.hpp"
#include "core/features/log_mel.hpp"
#include "core/model/attribute_model.hpp"

namespace {

using vibed::core::LogMel;

struct Options {
    std::filesystem::path audio;
    std::filesystem::path model;
    int repeat = 5;
    // Untimed runs first: TorchScript's profiling executor optimises the
    // graph during the first forward passes, and caches warm up.
    int warmup = 1;
    std::vector<std::string> only;  // empty: every stage
};

struct Sample {
    double cpu_seconds = 0;
    double wall_seconds = 0;
};

double seconds_of(clockid_t clock) {
    timespec now{};
    clock_gettime(clock, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

Sample measure(const std::function<void()>& work) {
    const double cpu_start = seconds_of(CLOCK_THREAD_CPUTIME_ID);
    const double wall_start = seconds_of(CLOCK_MONOTONIC);
    work();
    return {seconds_of(CLOCK_THREAD_CPUTIME_ID) - cpu_start, seconds_of(CLOCK_MONOTONIC) - wall_start};
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// Runs `work` warmup + repeat times and prints one table row of medians.
void bench_stage(std::string_view name, const Options& options, double audio_seconds,
                 const std::function<void()>& work) {
    if (!options.only.empty() && std::find(options.only.begin(), options.only.end(), name) == options.only.end()) return;
    for (int i = 0; i < options.warmup; ++i) work();
    std::vector<double> cpu;
    std::vector<double> wall;
    for (int i = 0; i < options.repeat; ++i) {
        const Sample sample = measure(work);
        cpu.push_back(sample.cpu_seconds);
        wall.push_back(sample.wall_seconds);
    }
    const double cpu_median = median(cpu);
    const double wall_median = median(wall);
    std::printf("%-9.*s %12.1f %12.1f %14.1f %14.1f\n", static_cast<int>(name.size()), name.data(),
                cpu_median * 1e3, wall_median * 1e3, audio_seconds / cpu_median, audio_seconds / wall_median);
    std::fflush(stdout);
}

// The backend alone, without downmix and resampling; returns the frames decoded.
std::size_t decode_frames_only(const std::filesystem::path& file) {
    constexpr std::size_t kBlockFrames = 4096;
    const auto decoder = vibed::core::open_audio(file);
    std::vector<float> block(kBlockFrames * static_cast<std::size_t>(decoder->format().channels));
    std::size_t frames = 0;
    while (const std::size_t count = decoder->read(block.data(), kBlockFrames)) frames += count;
    return frames;
}

// FFmpeg's decoder alone, whatever open_audio() would choose; returns the frames decoded.
std::size_t decode_frames_with_ffmpeg(const std::filesystem::path& file) {
    constexpr std::size_t kBlockFrames = 4096;
    vibed::core::FfmpegDecoder decoder(std::make_unique<vibed::core::SourceFile>(file));
    std::vector<float> block(kBlockFrames * static_cast<std::size_t>(decoder.format().channels));
    std::size_t frames = 0;
    while (const std::size_t count = decoder.read(block.data(), kBlockFrames)) frames += count;
    return frames;
}

// The backend's interleaved output at the original rate, as the loudness meter sees it.
std::vector<float> decode_original(const std::filesystem::path& file, vibed::core::AudioFormat& format) {
    constexpr std::size_t kBlockFrames = 4096;
    const auto decoder = vibed::core::open_audio(file);
    format = decoder->format();
    const auto channels = static_cast<std::size_t>(format.channels);
    std::vector<float> block(kBlockFrames * channels);
    std::vector<float> all;
    while (const std::size_t count = decoder->read(block.data(), kBlockFrames)) {
        all.insert(all.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(count * channels));
    }
    return all;
}

// The front end with the musical features riding on it, over signals already in memory.
double log_mel_with_features(std::span<const float> samples_16k,
                             std::span<const float> original, const vibed::core::AudioFormat& format) {
    vibed::core::LogMelExtractor front_end;
    vibed::core::MusicalFeatureExtractor features(format);
    front_end.observe_spectra([&](std::span<const float> power, std::span<const float> mel_energy,
                                  std::span<const float> mel_db) { features.add_spectrum(power, mel_energy, mel_db); });
    constexpr std::size_t kBlock = 4096;
    const std::size_t step = kBlock * static_cast<std::size_t>(format.channels);
    for (std::size_t at = 0; at < original.size(); at += step) {
        features.add_decoded(original.subspan(at, std::min(step, original.size() - at)));
    }
    front_end.push(samples_16k);
    const LogMel mel = front_end.finish();
    return features.finish().bpm + mel.values[0];
}

// The loudness meter alone, fed the decoder's blocks as the pipeline feeds it.
double loudness_only(std::span<const float> original, const vibed::core::AudioFormat& format) {
    vibed::core::LoudnessMeter meter(format.channels, format.sample_rate);
    constexpr std::size_t kBlock = 4096;
    const std::size_t step = kBlock * static_cast<std::size_t>(format.channels);
    for (std::size_t at = 0; at < original.size(); at += step) {
        meter.add(original.subspan(at, std::min(step, original.size() - at)));
    }
    return meter.result().integrated_lufs;
}

std::vector<float> decode_whole_file(const std::filesystem::path& file) {
    vibed::core::MonoStream stream(file, vibed::core::kFeatureSampleRate);
    std::vector<float> samples;
    std::vector<float> block(1 << 15);
    while (const std::size_t count = stream.read(block)) samples.insert(samples.end(), block.begin(), block.begin() + count);
    return samples;
}

[[noreturn]] void usage_error(const std::string& message) {
    std::fprintf(stderr, "bench_pipeline: %s\nusage: bench_pipeline [--repeat N] [--warmup N] [--only STAGE,...] AUDIO_FILE MODEL_FILE\n",
                 message.c_str());
    std::exit(2);
}

int parse_count(std::string_view flag, const char* value, int minimum) {
    if (value == nullptr) usage_error(std::string(flag) + " needs a number");
    char* end = nullptr;
    const long count = std::strtol(value, &end, 10);
    if (*value == '\0' || *end != '\0' || count < minimum || count > 1000) {
        usage_error(std::string(flag) + ": not a count: " + value);
    }
    return static_cast<int>(count);
}

Options parse_options(int argc, char** argv) {
    Options options;
    std::vector<std::string_view> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--repeat") {
            options.repeat = parse_count(arg, argv[++i], 1);
        } else if (arg == "--warmup") {
            options.warmup = parse_count(arg, argv[++i], 0);
        } else if (arg == "--only") {
            if (argv[++i] == nullptr) usage_error("--only needs stage names");
            std::string names = argv[i];
            for (std::size_t at = 0; at <= names.size();) {
                const std::size_t comma = std::min(names.find(',', at), names.size());
                options.only.push_back(names.substr(at, comma - at));
                at = comma + 1;
            }
        } else if (arg.starts_with("-")) {
            usage_error("unknown option " + std::string(arg));
        } else {
            positional.push_back(arg);
        }
    }
    if (positional.size() != 2) usage_error("expected AUDIO_FILE and MODEL_FILE");
    options.audio = positional[0];
    options.model = positional[1];
    return options;
}

void run(const Options& options) {
    const auto model = vibed::core::AttributeModel::load(options.model, {.intra_op_threads = 1});
    // "total" with the model's own front end (its sidecar), "excerpts" with
    // the excerpts front end (core/analysis/front_end.hpp).
    const auto front_end = vibed::core::front_end_for_model(options.model);
    const vibed::core::TrackAnalyzer analyzer(model, {.front_end = front_end});
    const vibed::core::TrackAnalyzer excerpts_analyzer(model, {.front_end = vibed::core::front_end_named("excerpts")});

    const std::vector<float> samples = decode_whole_file(options.audio);
    if (samples.empty()) throw std::runtime_error(options.audio.string() + ": no audio samples");
    const double audio_seconds = static_cast<double>(samples.size()) / vibed::core::kFeatureSampleRate;
    const LogMel mel = vibed::core::compute_log_mel(samples);
    vibed::core::AudioFormat original_format;
    const std::vector<float> original = decode_original(options.audio, original_format);

    std::printf("audio: %s (%.1f s, %zu log-mel frames)\n", options.audio.c_str(), audio_seconds, mel.frames);
    std::printf("model: %s (sha256 %.12s), front end %s\n", options.model.c_str(), model->sha256().c_str(),
                front_end.name.c_str());
    std::printf("runs:  %d timed after %d warm-up, one intra-op thread; medians\n\n", options.repeat, options.warmup);
    std::printf("%-9s %12s %12s %14s %14s\n", "stage", "cpu ms", "wall ms", "x rt (cpu)", "x rt (wall)");

    // The results go to a volatile sink so the work cannot be optimised away.
    volatile float sink = 0;
    bench_stage("decoder", options, audio_seconds, [&] { sink = sink + static_cast<float>(decode_frames_only(options.audio)); });
    bench_stage("ffmpeg", options, audio_seconds, [&] { sink = sink + static_cast<float>(decode_frames_with_ffmpeg(options.audio)); });
    bench_stage("decode", options, audio_seconds, [&] { sink = sink + static_cast<float>(decode_whole_file(options.audio).size()); });
    bench_stage("log-mel", options, audio_seconds, [&] { sink = sink + vibed::core::compute_log_mel(samples).values[0]; });
    bench_stage("+features", options, audio_seconds, [&] {
        sink = sink + static_cast<float>(log_mel_with_features(samples, original, original_format));
    });
    bench_stage("loudness", options, audio_seconds,
                [&] { sink = sink + static_cast<float>(loudness_only(original, original_format)); });
    bench_stage("model", options, audio_seconds, [&] { sink = sink + model->logits(mel)[0]; });
    bench_stage("total", options, audio_seconds, [&] { sink = sink + analyzer.analyze(options.audio).attributes.energy; });
    bench_stage("excerpts", options, audio_seconds,
                [&] { sink = sink + excerpts_analyzer.analyze(options.audio).attributes.energy; });
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse_options(argc, argv);
    try {
        run(options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_pipeline: %s\n", e.what());
        return 1;
    }
    return 0;
}
