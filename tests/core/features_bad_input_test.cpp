// Audio where features cannot be measured gets the documented unknown values
// (core/features/musical_features.hpp, docs/features.md), never NaN, never a crash.

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "core/audio/mono_stream.hpp"
#include "core/features/feature_extractor.hpp"
#include "core/features/log_mel.hpp"
#include "tests/core/audio_test_util.hpp"
#include "tests/core/feature_test_util.hpp"

namespace vibed::core {
namespace {

using test::ScratchDir;

MusicalFeatures features_of(const test::Signal& signal, const std::string& name = "input.wav") {
    const ScratchDir dir;
    test::write_wav(dir / name, signal);
    MusicalFeatures f = compute_file_features(dir / name);
    test::expect_valid(f, name);
    return f;
}

void expect_no_beat(const MusicalFeatures& f) {
    EXPECT_EQ(f.bpm, 0);
    EXPECT_EQ(f.bpm_confidence, 0);
}

void expect_no_key(const MusicalFeatures& f) {
    EXPECT_EQ(f.key, -1);
    EXPECT_EQ(f.mode, Mode::unknown);
    EXPECT_EQ(f.key_strength, 0);
    EXPECT_EQ(f.majorness, 0);
}

TEST(FeaturesBadInput, SilenceIsAllUnknown) {
    const MusicalFeatures f = features_of(test::silence(10));
    const MusicalFeatures unknown;
    for (std::size_t i = 0; i < kFeatureCount; ++i) {
        EXPECT_EQ(feature_value(f, i), feature_value(unknown, i)) << kFeatureNames[i];
    }
}

TEST(FeaturesBadInput, ASingleSineHasNoBeatAndNoKey) {
    const MusicalFeatures f = features_of(test::sine(440, 10));
    expect_no_beat(f);
    expect_no_key(f);
    EXPECT_NEAR(f.brightness, 440, 40);
    EXPECT_LT(f.noisiness, 0.1);
    EXPECT_LT(f.onset_rate, 0.2);
    EXPECT_GT(f.loudness, -12);  // 20 log10(0.5) - 3.01 at 1 kHz; K-weighting takes ~0.7 dB more at 440 Hz
    EXPECT_LT(f.loudness_range, 0.1);
}

TEST(FeaturesBadInput, WhiteNoiseHasNoBeatAndNoKey) {
    const MusicalFeatures f = features_of(test::white_noise(10));
    expect_no_beat(f);
    expect_no_key(f);
    EXPECT_GT(f.noisiness, 0.7);  // white noise reads ~0.77 (docs/features.md)
    EXPECT_GT(f.brightness, 3000);
}

TEST(FeaturesBadInput, AOneSecondFileHasLoudnessButNoTempo) {
    const MusicalFeatures f = features_of(test::drum_pattern(120, 1));
    expect_no_beat(f);  // fewer than four seconds: no tempo
    EXPECT_GT(f.loudness, -40);
    EXPECT_EQ(f.loudness_range, 0);  // LRA needs 3-second windows
}

TEST(FeaturesBadInput, ClippedDrumsKeepTheirTempo) {
    test::Signal drums = test::drum_pattern(128, 20);
    for (float& sample : drums.samples) sample = std::clamp(sample * 8.0f, -1.0f, 1.0f);
    const MusicalFeatures f = features_of(drums);
    EXPECT_NEAR(f.bpm, 128, 128 * 0.02);
    EXPECT_GT(f.loudness, -12);
}

TEST(FeaturesBadInput, ASustainedPadHasNoBeat) {
    // A chord held for 12 s: harmony but no rhythm.
    test::Signal pad = test::silence(12);
    for (const int note : {57, 60, 64}) {
        const test::Signal tone = test::sine(440.0 * std::pow(2.0, (note - 69) / 12.0), 12, 0.15f);
        for (std::size_t i = 0; i < pad.samples.size(); ++i) pad.samples[i] += tone.samples[i];
    }
    const MusicalFeatures f = features_of(pad);
    expect_no_beat(f);
    EXPECT_LT(f.onset_rate, 0.2);
    EXPECT_LT(f.harmonic_change, 0.02);  // the harmony never moves
    EXPECT_TRUE(key_name(f.key, f.mode) == "A minor" || key_name(f.key, f.mode) == "C major")
        << key_name(f.key, f.mode);  // the triad A C E, and its relative major
}

// A long stream: drums at 16 kHz from a synthetic decoder (nothing on disk),
// through the same MonoStream + front end + extractor as a file. The extractor
// keeps no per-frame history, so memory must not grow with the length.
class DrumDecoder final : public AudioDecoder {
public:
    DrumDecoder(double bpm, std::int64_t frames) : format_{16000, 1, frames, "synthetic drums", "synthetic"} {
        loop_ = test::drum_pattern(bpm, 8 * 60.0 / bpm, 16000).samples;  // two bars, looped
    }
    [[nodiscard]] const AudioFormat& format() const override { return format_; }
    std::size_t read(float* out, std::size_t max_frames) override {
        const auto frames = static_cast<std::size_t>(
            std::min<std::int64_t>(static_cast<std::int64_t>(max_frames), *format_.frames - position_));
        for (std::size_t i = 0; i < frames; ++i) out[i] = loop_[static_cast<std::size_t>(position_++) % loop_.size()];
        return frames;
    }

private:
    AudioFormat format_;
    std::vector<float> loop_;
    std::int64_t position_ = 0;
};

std::size_t resident_bytes() {
    std::size_t total_pages = 0;
    std::size_t resident_pages = 0;
    std::ifstream("/proc/self/statm") >> total_pages >> resident_pages;
    return resident_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

TEST(FeaturesBadInput, ALongStreamInBoundedMemory) {
    constexpr double kMinutes = 40;
    MonoStream stream(std::make_unique<DrumDecoder>(125, static_cast<std::int64_t>(kMinutes * 60 * 16000)), "long mix");
    LogMelExtractor front_end;
    MusicalFeatureExtractor extractor(stream.source_format());
    extractor.attach(stream, front_end);
    std::vector<float> block(1 << 15);
    std::size_t resident_after_first_minute = 0;
    std::size_t samples = 0;
    while (const std::size_t count = stream.read(block)) {
        samples += count;
        front_end.push(std::span<const float>(block.data(), count));
        (void)front_end.take(front_end.pending_frames());  // the model's share, not kept here
        if (resident_after_first_minute == 0 && samples >= 60 * 16000) resident_after_first_minute = resident_bytes();
    }
    (void)front_end.finish();
    const MusicalFeatures f = extractor.finish();
    test::expect_valid(f, "long mix");
    EXPECT_NEAR(f.bpm, 125, 125 * 0.02);
#ifndef __SANITIZE_ADDRESS__
    // (Under ASan, freed blocks sit in its quarantine, up to 256 MB: RSS says nothing there.)
    EXPECT_LT(resident_bytes(), resident_after_first_minute + (4 << 20));
#endif
}

}  // namespace
}  // namespace vibed::core
