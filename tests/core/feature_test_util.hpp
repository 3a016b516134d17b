#pragma once
// Synthesised audio for the musical-feature tests: written as 16-bit WAV (and
// converted with sox/ffmpeg where a test needs another format), then read back
// through the real decoders.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "core/analysis/track_analyzer.hpp"
#include "core/features/key_estimator.hpp"
#include "core/features/musical_features.hpp"

namespace vibed::core::test {

// Interleaved samples in [-1, 1], clipped when written.
struct Signal {
    int rate = 44100;
    int channels = 1;
    std::vector<float> samples;

    [[nodiscard]] std::size_t frames() const { return samples.size() / static_cast<std::size_t>(channels); }
};

inline Signal silence(double seconds, int rate = 44100) {
    return {rate, 1, std::vector<float>(static_cast<std::size_t>(seconds * rate), 0.0f)};
}

inline void write_wav(const std::filesystem::path& path, const Signal& signal) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    const auto put32 = [&](std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
    const auto put16 = [&](std::uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
    const auto data_bytes = static_cast<std::uint32_t>(signal.samples.size() * 2);
    const auto channels = static_cast<std::uint16_t>(signal.channels);
    const auto rate = static_cast<std::uint32_t>(signal.rate);
    out.write("RIFF", 4);
    put32(36 + data_bytes);
    out.write("WAVEfmt ", 8);
    put32(16);
    put16(1);  // PCM
    put16(channels);
    put32(rate);
    put32(rate * channels * 2);
    put16(static_cast<std::uint16_t>(channels * 2));
    put16(16);
    out.write("data", 4);
    put32(data_bytes);
    for (const float sample : signal.samples) {
        const auto value = static_cast<std::int16_t>(std::lround(std::clamp(sample, -1.0f, 1.0f) * 32767.0f));
        out.write(reinterpret_cast<const char*>(&value), 2);
    }
    if (!out) throw std::runtime_error(path.string() + ": cannot write");
}

// Runs a shell command; the test fails (and returns false) when it does.
inline bool run(const std::string& command) {
    const int status = std::system((command + " >/dev/null 2>&1").c_str());
    EXPECT_EQ(status, 0) << command;
    return status == 0;
}

inline bool have_tool(const std::string& name) {
    return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

// Adds `value` at `frame` (mono).
inline void add_at(Signal& signal, std::size_t frame, float value) {
    if (frame < signal.samples.size()) signal.samples[frame] += value;
}

// A decaying noise burst (snare, hi-hat) or a pitched thump (kick) at `start` seconds.
inline void add_noise_burst(Signal& signal, double start, double seconds, float gain, std::mt19937& rng,
                            bool bright) {
    std::normal_distribution<float> noise(0.0f, 1.0f);
    const auto first = static_cast<std::size_t>(start * signal.rate);
    const auto length = static_cast<std::size_t>(seconds * signal.rate);
    float previous = 0;
    for (std::size_t i = 0; i < length; ++i) {
        const float white = noise(rng);
        const float sample = bright ? white - previous : white;  // first difference: a crude high-pass
        previous = white;
        const double decay = std::exp(-5.0 * static_cast<double>(i) / static_cast<double>(length));
        add_at(signal, first + i, static_cast<float>(gain * sample * decay));
    }
}

inline void add_kick(Signal& signal, double start, float gain) {
    const auto first = static_cast<std::size_t>(start * signal.rate);
    const auto length = static_cast<std::size_t>(0.15 * signal.rate);
    double phase = 0;
    for (std::size_t i = 0; i < length; ++i) {
        const double t = static_cast<double>(i) / signal.rate;
        const double hz = 50 + 100 * std::exp(-t * 30);
        phase += 2 * std::numbers::pi * hz / signal.rate;
        add_at(signal, first + i, static_cast<float>(gain * std::sin(phase) * std::exp(-t * 20)));
    }
}

// A metronome: a short 1.5 kHz click on every beat.
inline Signal click_track(double bpm, double seconds, int rate = 44100) {
    Signal signal = silence(seconds, rate);
    const auto click = static_cast<std::size_t>(0.01 * rate);
    for (double beat = 0.1; beat < seconds; beat += 60.0 / bpm) {
        const auto first = static_cast<std::size_t>(beat * rate);
        for (std::size_t i = 0; i < click; ++i) {
            const double t = static_cast<double>(i) / rate;
            add_at(signal, first + i, static_cast<float>(0.8 * std::sin(2 * std::numbers::pi * 1500 * t) * std::exp(-t * 400)));
        }
    }
    return signal;
}

// A rock beat: kick on 1 and 3, snare on 2 and 4, closed hi-hat on every eighth.
inline Signal drum_pattern(double bpm, double seconds, int rate = 44100) {
    Signal signal = silence(seconds, rate);
    std::mt19937 rng(static_cast<unsigned>(bpm * 10));
    const double beat_seconds = 60.0 / bpm;
    int beat = 0;
    for (double t = 0.05; t < seconds; t += beat_seconds, ++beat) {
        if (beat % 2 == 0) {
            add_kick(signal, t, 0.7f);
        } else {
            add_noise_burst(signal, t, 0.12, 0.35f, rng, false);
        }
        add_noise_burst(signal, t, 0.04, 0.12f, rng, true);
        add_noise_burst(signal, t + beat_seconds / 2, 0.04, 0.08f, rng, true);
    }
    return signal;
}

// A tone with decaying harmonics (1/n amplitudes), like a soft electric piano.
inline void add_note(Signal& signal, double start, double seconds, double midi_note, float gain) {
    const double hz = 440.0 * std::pow(2.0, (midi_note - 69) / 12);
    const auto first = static_cast<std::size_t>(start * signal.rate);
    const auto length = static_cast<std::size_t>(seconds * signal.rate);
    for (std::size_t i = 0; i < length; ++i) {
        const double t = static_cast<double>(i) / signal.rate;
        const double envelope = std::min(1.0, t / 0.01) * std::exp(-t * 1.5);
        double sample = 0;
        for (int harmonic = 1; harmonic <= 6; ++harmonic) {
            if (hz * harmonic >= signal.rate / 2.0) break;
            sample += std::sin(2 * std::numbers::pi * hz * harmonic * t) / harmonic;
        }
        add_at(signal, first + i, static_cast<float>(gain * envelope * sample));
    }
}

inline Signal sine(double hz, double seconds, float amplitude = 0.5f, int rate = 44100) {
    Signal signal = silence(seconds, rate);
    for (std::size_t i = 0; i < signal.samples.size(); ++i) {
        signal.samples[i] = amplitude * static_cast<float>(std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / rate));
    }
    return signal;
}

inline Signal white_noise(double seconds, float rms = 0.2f, int rate = 44100) {
    Signal signal = silence(seconds, rate);
    std::mt19937 rng(7);
    std::normal_distribution<float> noise(0.0f, rms);
    for (float& sample : signal.samples) sample = noise(rng);
    return signal;
}

// The corpus of real clips, when present: $VIBED_CORPUS, else
// ../shared/corpus/music-clips next to the repository.
inline std::vector<std::filesystem::path> corpus_clips(std::size_t count) {
    std::filesystem::path folder;
    if (const char* env = std::getenv("VIBED_CORPUS"); env != nullptr && *env != '\0') {
        folder = env;
    } else {
        folder = std::filesystem::path(VIBED_SOURCE_DIR) / ".." / "shared" / "corpus" / "music-clips";
    }
    std::vector<std::filesystem::path> clips;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
        if (entry.path().extension() == ".mp3") clips.push_back(entry.path());
    }
    std::sort(clips.begin(), clips.end());
    // Spread the picks over the whole (name-sorted, i.e. shuffled) corpus.
    std::vector<std::filesystem::path> picked;
    for (std::size_t i = 0; i < count && !clips.empty(); ++i) picked.push_back(clips[i * clips.size() / count]);
    if (clips.size() < count) picked.resize(clips.size());
    return picked;
}

// Every field finite and inside its documented range.
inline void expect_valid(const MusicalFeatures& f, const std::string& what) {
    for (std::size_t i = 0; i < kFeatureCount; ++i) {
        EXPECT_TRUE(std::isfinite(feature_value(f, i))) << what << ": " << kFeatureNames[i];
    }
    EXPECT_TRUE(f.bpm == 0 || (f.bpm >= 40 && f.bpm <= 240)) << what << ": bpm " << f.bpm;
    EXPECT_GE(f.bpm_confidence, 0) << what;
    EXPECT_LE(f.bpm_confidence, 1) << what;
    EXPECT_GE(f.loudness, -70) << what;
    EXPECT_GE(f.loudness_range, 0) << what;
    EXPECT_GE(f.key, -1) << what;
    EXPECT_LE(f.key, 11) << what;
    EXPECT_EQ(f.key < 0, f.mode == Mode::unknown) << what;
    EXPECT_GE(f.key_strength, 0) << what;
    EXPECT_LE(f.key_strength, 1) << what;
    EXPECT_GE(f.majorness, -1) << what;
    EXPECT_LE(f.majorness, 1) << what;
    EXPECT_GE(f.onset_rate, 0) << what;
    EXPECT_GE(f.beat_regularity, 0) << what;
    EXPECT_LE(f.beat_regularity, 1) << what;
    EXPECT_GE(f.brightness, 0) << what;
    EXPECT_LE(f.brightness, 8000) << what;
    EXPECT_GE(f.noisiness, 0) << what;
    EXPECT_LE(f.noisiness, 1) << what;
    EXPECT_GE(f.harmonic_change, 0) << what;
    EXPECT_LE(f.harmonic_change, 1) << what;
}

}  // namespace vibed::core::test
