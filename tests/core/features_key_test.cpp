// Key accuracy: synthesised progressions in all 24 keys (I-IV-V-I in major,
// i-iv-V-i with the harmonic-minor V in minor), and real clips pitch-shifted
// by known semitones with `sox pitch`.

#include <gtest/gtest.h>

#include <cstdio>

#include "tests/core/audio_test_util.hpp"
#include "tests/core/feature_test_util.hpp"

namespace vibed::core {
namespace {

using test::ScratchDir;

// Chord roots and triads in semitones above the tonic.
struct Chord {
    int root;
    std::array<int, 3> notes;
};

test::Signal progression(int tonic, Mode mode) {
    const int third = mode == Mode::major ? 4 : 3;
    const int sixth = mode == Mode::major ? 9 : 8;
    const std::array<Chord, 4> chords = {
        Chord{0, {0, third, 7}},   // I / i
        Chord{5, {5, sixth, 12}},  // IV / iv
        Chord{7, {7, 11, 14}},     // V (major in both modes: the leading tone)
        Chord{0, {0, third, 7}},
    };
    test::Signal signal = test::silence(8.5);
    double start = 0;
    for (int repeat = 0; repeat < 2; ++repeat) {
        for (const Chord& chord : chords) {
            test::add_note(signal, start, 1.0, 48 + (tonic + chord.root) % 12, 0.2f);  // bass
            for (const int note : chord.notes) test::add_note(signal, start, 1.0, 60 + tonic + note, 0.12f);
            start += 1.0;
        }
    }
    return signal;
}

TEST(FeaturesKey, AllTwentyFourKeysOfSynthesisedProgressions) {
    const ScratchDir dir;
    int right = 0;
    for (const Mode mode : {Mode::major, Mode::minor}) {
        for (int tonic = 0; tonic < 12; ++tonic) {
            const auto path = dir / "progression.wav";
            test::write_wav(path, progression(tonic, mode));
            const MusicalFeatures f = compute_file_features(path);
            test::expect_valid(f, key_name(tonic, mode));
            const bool ok = f.key == tonic && f.mode == mode;
            right += ok ? 1 : 0;
            std::printf("%-9s -> %-9s strength %.2f majorness %+.2f harmonic change %.2f\n",
                        key_name(tonic, mode).c_str(), key_name(f.key, f.mode).c_str(), f.key_strength, f.majorness,
                        f.harmonic_change);
            EXPECT_TRUE(ok) << key_name(tonic, mode) << " measured " << key_name(f.key, f.mode);
            EXPECT_EQ(f.majorness > 0, mode == Mode::major) << key_name(tonic, mode);
            EXPECT_GT(f.key_strength, 0.5) << key_name(tonic, mode);
            EXPECT_GT(f.harmonic_change, 0.05) << key_name(tonic, mode);  // a chord change every second
        }
    }
    std::printf("synthesised progressions: %d of 24 keys right\n", right);
}

// Shifting a clip by n semitones must move its measured tonic by n and keep
// its mode. Clips without a key (key -1) are reported and left out. Measured
// when written: 14 of 16 agree (docs/features.md); the test holds that count.
TEST(FeaturesKey, PitchShiftedCorpusClipsMoveByTheShift) {
    const auto clips = test::corpus_clips(8);
    if (clips.empty()) GTEST_SKIP() << "corpus absent (set VIBED_CORPUS)";
    if (!test::have_tool("sox") || !test::have_tool("ffmpeg")) GTEST_SKIP() << "sox or ffmpeg absent";
    const ScratchDir dir;
    int agree = 0;
    int disagree = 0;
    for (const auto& clip : clips) {
        const auto original_wav = dir / "original.wav";
        if (!test::run("ffmpeg -nostdin -y -i '" + clip.string() + "' '" + original_wav.string() + "'")) continue;
        const MusicalFeatures original = compute_file_features(original_wav);
        if (original.key < 0) {
            std::printf("%s: no key\n", clip.filename().c_str());
            continue;
        }
        for (const int shift : {3, -2}) {
            const auto shifted = dir / "shifted.wav";
            if (!test::run("sox -q '" + original_wav.string() + "' '" + shifted.string() + "' pitch " +
                           std::to_string(shift * 100))) {
                continue;
            }
            const MusicalFeatures changed = compute_file_features(shifted);
            test::expect_valid(changed, clip.filename().string());
            const int expected = (original.key + shift + 12) % 12;
            const bool ok = changed.key == expected && changed.mode == original.mode;
            (ok ? agree : disagree) += 1;
            std::printf("%s %+d: %-9s -> %-9s (strength %.2f -> %.2f)%s\n", clip.filename().c_str(), shift,
                        key_name(original.key, original.mode).c_str(), key_name(changed.key, changed.mode).c_str(),
                        original.key_strength, changed.key_strength, ok ? "" : "  MISMATCH");
        }
    }
    std::printf("pitch-shifted corpus clips: %d agree, %d disagree\n", agree, disagree);
    EXPECT_LE(disagree, 2);
}

TEST(FeaturesKey, KeyProfilesPickTheirOwnKey) {
    // The profile of A minor, as a chroma, is A minor with strength 1.
    Chroma chroma{};
    const Chroma a_minor = {0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330};
    for (std::size_t i = 0; i < 12; ++i) chroma[(i + 9) % 12] = a_minor[i];
    const KeyEstimate estimate = KeyEstimator::key_of(chroma);
    EXPECT_EQ(estimate.key, 9);
    EXPECT_EQ(estimate.mode, Mode::minor);
    EXPECT_NEAR(estimate.key_strength, 1.0, 1e-9);
    EXPECT_LT(estimate.majorness, 0);
}

}  // namespace
}  // namespace vibed::core
