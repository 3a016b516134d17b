// Tempo accuracy: generated click and drum patterns of known tempo, and real
// clips time-stretched by known ratios with `sox tempo`. A result within 2 %
// of half, double, a third or three times the truth is an octave error: never
// counted as right. Each test prints its tally and allows exactly the octave
// errors measured when it was written (docs/features.md lists them), so one
// more fails it; any other miss fails it.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "tests/core/audio_test_util.hpp"
#include "tests/core/feature_test_util.hpp"

namespace vibed::core {
namespace {

using test::ScratchDir;

constexpr double kTolerance = 0.02;
constexpr double kSteadyBeat = 0.3;
constexpr std::array<double, 8> kTempi = {60, 72, 90, 100, 120, 135, 150, 180};

enum class TempoOutcome { right, octave, wrong };

TempoOutcome judge(double measured, double truth) {
    if (std::abs(measured / truth - 1) <= kTolerance) return TempoOutcome::right;
    for (const double factor : {0.5, 2.0, 1.0 / 3, 3.0}) {
        if (std::abs(measured / (truth * factor) - 1) <= kTolerance) return TempoOutcome::octave;
    }
    return TempoOutcome::wrong;
}

struct Tally {
    int right = 0;
    int octave = 0;
    int wrong = 0;
    void add(TempoOutcome outcome) {
        (outcome == TempoOutcome::right ? right : outcome == TempoOutcome::octave ? octave : wrong) += 1;
    }
};

void check_generated(const char* kind, test::Signal (*make)(double, double, int), int known_octave_errors) {
    const ScratchDir dir;
    Tally tally;
    for (const double bpm : kTempi) {
        const auto path = dir / (std::string(kind) + ".wav");
        test::write_wav(path, make(bpm, 20, 44100));
        const MusicalFeatures f = compute_file_features(path);
        test::expect_valid(f, kind);
        const TempoOutcome outcome = judge(f.bpm, bpm);
        tally.add(outcome);
        std::printf("%s %5.1f BPM: measured %6.2f (confidence %.2f, regularity %.2f, %.2f onsets/s)%s\n", kind, bpm,
                    f.bpm, f.bpm_confidence, f.beat_regularity, f.onset_rate,
                    outcome == TempoOutcome::octave ? "  OCTAVE ERROR" : outcome == TempoOutcome::wrong ? "  WRONG" : "");
        EXPECT_NE(outcome, TempoOutcome::wrong) << kind << " at " << bpm << " BPM measured " << f.bpm;
        EXPECT_GT(f.bpm_confidence, 0.3) << kind << " at " << bpm;
    }
    std::printf("%s: %d right, %d octave errors, %d wrong of %zu\n", kind, tally.right, tally.octave, tally.wrong,
                kTempi.size());
    EXPECT_LE(tally.octave, known_octave_errors) << kind;
}

TEST(FeaturesTempo, ClickTracksOfKnownTempo) { check_generated("click", test::click_track, 0); }

// Known: the 60 BPM rock beat (kick on 1 and 3, snare on 2 and 4, hi-hat
// eighths) reads 120, the hi-hats' pulse.
TEST(FeaturesTempo, DrumPatternsOfKnownTempo) { check_generated("drums", test::drum_pattern, 1); }

TEST(FeaturesTempo, MetronomeClicksCountAsOnsets) {
    const ScratchDir dir;
    test::write_wav(dir / "click.wav", test::click_track(120, 20));
    const MusicalFeatures f = compute_file_features(dir / "click.wav");
    EXPECT_NEAR(f.onset_rate, 2.0, 0.1);  // two clicks per second
    EXPECT_GT(f.beat_regularity, 0.8);
}

// Real music: stretching a clip by a known ratio must scale its measured tempo
// by that ratio. Clips without a steady beat (bpm 0, or a confidence below
// 0.3, before or after) are reported and left out of the ratio check: a weak
// beat may legitimately be heard at another metrical level.
TEST(FeaturesTempo, TimeStretchedCorpusClipsScaleByTheRatio) {
    const auto clips = test::corpus_clips(8);
    if (clips.empty()) GTEST_SKIP() << "corpus absent (set VIBED_CORPUS)";
    if (!test::have_tool("sox") || !test::have_tool("ffmpeg")) GTEST_SKIP() << "sox or ffmpeg absent";
    const ScratchDir dir;
    Tally tally;
    int beatless = 0;
    for (const auto& clip : clips) {
        const auto original_wav = dir / "original.wav";
        if (!test::run("ffmpeg -nostdin -y -i '" + clip.string() + "' '" + original_wav.string() + "'")) continue;
        const MusicalFeatures original = compute_file_features(original_wav);
        for (const double ratio : {0.9, 1.12}) {
            const auto stretched = dir / "stretched.wav";
            char ratio_text[16];
            std::snprintf(ratio_text, sizeof ratio_text, "%.2f", ratio);
            if (!test::run("sox -q '" + original_wav.string() + "' '" + stretched.string() + "' tempo -m " + ratio_text)) continue;
            const MusicalFeatures changed = compute_file_features(stretched);
            test::expect_valid(changed, clip.filename().string());
            if (original.bpm_confidence < kSteadyBeat || changed.bpm_confidence < kSteadyBeat) {
                ++beatless;
                std::printf("%s x%.2f: no steady beat (%.2f -> %.2f BPM, confidence %.2f -> %.2f)\n",
                            clip.filename().c_str(), ratio, original.bpm, changed.bpm, original.bpm_confidence,
                            changed.bpm_confidence);
                continue;
            }
            const TempoOutcome outcome = judge(changed.bpm, original.bpm * ratio);
            tally.add(outcome);
            std::printf("%s x%.2f: %6.2f -> %6.2f BPM (ratio %.3f, confidence %.2f)%s\n", clip.filename().c_str(),
                        ratio, original.bpm, changed.bpm, changed.bpm / original.bpm, changed.bpm_confidence,
                        outcome == TempoOutcome::octave ? "  OCTAVE ERROR" : outcome == TempoOutcome::wrong ? "  WRONG" : "");
        }
    }
    std::printf("stretched corpus clips: %d right, %d octave errors, %d wrong, %d without a steady beat\n",
                tally.right, tally.octave, tally.wrong, beatless);
    // Known when written (docs/features.md): clip-018c57cc91 x0.90 reads 222.6
    // instead of 111.7 (an octave: its eighth-note pulse); clip-5a735f3e3b x1.12
    // reads 52.6 instead of 139.9 (3:8, a wrong metrical level).
    EXPECT_LE(tally.octave, 1);
    EXPECT_LE(tally.wrong, 1);
}

}  // namespace
}  // namespace vibed::core
