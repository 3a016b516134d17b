// Loudness: EBU R128 integrated loudness and loudness range must match
// FFmpeg's ebur128 filter within 0.1 LU, on mono and stereo files at 16, 44.1
// and 48 kHz, WAV and MP3, and on real clips.

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "tests/core/audio_test_util.hpp"
#include "tests/core/feature_test_util.hpp"

namespace vibed::core {
namespace {

using test::ScratchDir;

constexpr double kToleranceLu = 0.1;

struct FfmpegLoudness {
    double integrated = 0;
    double range = 0;
};

// FFmpeg's own measurement. The summary prints one decimal; the same values
// are also published as frame metadata with three, and the last frame's are
// the whole file's. Both are read, and must agree.
std::optional<FfmpegLoudness> ffmpeg_loudness(const std::filesystem::path& file, const ScratchDir& dir) {
    const auto metadata = dir / "r128.txt";
    const auto summary = dir / "summary.txt";
    const std::string command = "ffmpeg -nostdin -nostats -hide_banner -i '" + file.string() +
                                "' -af ebur128=metadata=1,ametadata=mode=print:file='" + metadata.string() +
                                "' -f null - 2>'" + summary.string() + "'";
    if (std::system(command.c_str()) != 0) {
        ADD_FAILURE() << command;
        return std::nullopt;
    }
    FfmpegLoudness result;
    std::ifstream in(metadata);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("lavfi.r128.I=", 0) == 0) result.integrated = std::stod(line.substr(13));
        if (line.rfind("lavfi.r128.LRA=", 0) == 0) result.range = std::stod(line.substr(15));
    }
    // The summary's "I: -23.0 LUFS" and "LRA: 5.1 LU".
    std::ifstream text(summary);
    std::optional<double> summary_i;
    std::optional<double> summary_lra;
    for (std::string line; std::getline(text, line);) {
        std::istringstream words(line);
        std::string label;
        double value = 0;
        if (words >> label >> value) {
            if (label == "I:") summary_i = value;
            if (label == "LRA:") summary_lra = value;
        }
    }
    if (!summary_i || !summary_lra) {
        ADD_FAILURE() << "no ebur128 summary from " << command;
        return std::nullopt;
    }
    EXPECT_NEAR(*summary_i, result.integrated, 0.051) << file;
    EXPECT_NEAR(*summary_lra, result.range, 0.051) << file;
    return result;
}

void expect_matches_ffmpeg(const std::filesystem::path& file, const ScratchDir& dir) {
    const auto reference = ffmpeg_loudness(file, dir);
    if (!reference) return;
    const MusicalFeatures f = compute_file_features(file);
    test::expect_valid(f, file.filename().string());
    std::printf("%-28s vibed I %7.3f LUFS LRA %6.3f LU | ffmpeg I %7.3f LRA %6.3f\n", file.filename().c_str(),
                f.loudness, f.loudness_range, reference->integrated, reference->range);
    EXPECT_NEAR(f.loudness, reference->integrated, kToleranceLu) << file;
    EXPECT_NEAR(f.loudness_range, reference->range, kToleranceLu) << file;
}

// Music-like material with moving loudness: drums under a chord pad whose
// level swells and falls, so that the loudness range is not zero.
test::Signal swelling_music(int rate, int channels) {
    test::Signal mono = test::drum_pattern(110, 24, rate);
    for (double start = 0; start < 24; start += 2) {
        test::add_note(mono, start, 2.0, 57 + static_cast<int>(start) % 5, 0.1f);
    }
    test::Signal out{rate, channels, {}};
    out.samples.resize(mono.samples.size() * static_cast<std::size_t>(channels));
    for (std::size_t i = 0; i < mono.samples.size(); ++i) {
        const double t = static_cast<double>(i) / rate;
        const double level = 0.25 + 0.75 * (0.5 + 0.5 * std::sin(2 * std::numbers::pi * t / 12));
        for (int c = 0; c < channels; ++c) {
            // Channels differ: the right one is quieter and delayed, so a downmix would not be the same.
            const double gain = c == 0 ? 1.0 : 0.6;
            const std::size_t source = c == 0 || i < 200 ? i : i - 200;
            out.samples[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)] =
                static_cast<float>(gain * level * mono.samples[source]);
        }
    }
    return out;
}

TEST(FeaturesLoudness, GeneratedFilesMatchFfmpeg) {
    if (!test::have_tool("ffmpeg")) GTEST_SKIP() << "ffmpeg absent";
    const ScratchDir dir;
    const auto stereo44 = dir / "stereo-44k.wav";
    const auto stereo48 = dir / "stereo-48k.wav";
    const auto mono16 = dir / "mono-16k.wav";
    test::write_wav(stereo44, swelling_music(44100, 2));
    test::write_wav(stereo48, swelling_music(48000, 2));
    test::write_wav(mono16, swelling_music(16000, 1));
    for (const auto& file : {stereo44, stereo48, mono16}) expect_matches_ffmpeg(file, dir);
    const auto mp3 = dir / "stereo-48k.mp3";
    if (test::run("ffmpeg -nostdin -y -i '" + stereo48.string() + "' -b:a 192k '" + mp3.string() + "'")) {
        expect_matches_ffmpeg(mp3, dir);
    }
    const auto flac = dir / "stereo-44k.flac";
    if (test::run("ffmpeg -nostdin -y -i '" + stereo44.string() + "' '" + flac.string() + "'")) {
        expect_matches_ffmpeg(flac, dir);
    }
}

// 5.1 as FFmpeg lays out 6 channels (L R C LFE Ls Rs): the LFE weighs
// nothing and the surrounds 1.41, so a meter that weighted every channel alike
// (or filtered only the first four together) would read differently.
TEST(FeaturesLoudness, SurroundFileMatchesFfmpeg) {
    if (!test::have_tool("ffmpeg")) GTEST_SKIP() << "ffmpeg absent";
    const ScratchDir dir;
    const test::Signal stereo = swelling_music(48000, 2);
    constexpr std::array<float, 6> kGains = {0.5f, 0.3f, 0.4f, 0.9f, 0.6f, 0.2f};
    test::Signal surround{48000, 6, {}};
    surround.samples.reserve(stereo.frames() * kGains.size());
    for (std::size_t i = 0; i < stereo.frames(); ++i) {
        for (std::size_t c = 0; c < kGains.size(); ++c) surround.samples.push_back(kGains[c] * stereo.samples[2 * i + c % 2]);
    }
    test::write_wav(dir / "surround.wav", surround);
    expect_matches_ffmpeg(dir / "surround.wav", dir);
}

// Music, then 4 s of digital silence, then music again: the filters' state
// decays to nothing in the gap (denormal floats unless flushed), and the
// gated loudness must still match FFmpeg's.
TEST(FeaturesLoudness, SilentGapMatchesFfmpeg) {
    if (!test::have_tool("ffmpeg")) GTEST_SKIP() << "ffmpeg absent";
    const ScratchDir dir;
    const test::Signal music = swelling_music(44100, 2);
    test::Signal gapped{44100, 2, music.samples};
    gapped.samples.resize(gapped.samples.size() + 4 * 44100 * 2, 0.0f);
    gapped.samples.insert(gapped.samples.end(), music.samples.begin(), music.samples.end());
    test::write_wav(dir / "gap.wav", gapped);
    expect_matches_ffmpeg(dir / "gap.wav", dir);
}

TEST(FeaturesLoudness, SineAtKnownLevel) {
    // BS.1770 is calibrated so that a 1 kHz sine of peak A in one channel reads
    // 20 log10(A) - 3.01 LUFS; the same sine in two channels adds 3.01.
    if (!test::have_tool("ffmpeg")) GTEST_SKIP() << "ffmpeg absent";
    const ScratchDir dir;
    const test::Signal mono = test::sine(1000, 10, 0.1f, 48000);
    test::Signal stereo{48000, 2, {}};
    for (const float s : mono.samples) stereo.samples.insert(stereo.samples.end(), {s, s});
    test::write_wav(dir / "sine.wav", stereo);
    expect_matches_ffmpeg(dir / "sine.wav", dir);
    EXPECT_NEAR(compute_file_features(dir / "sine.wav").loudness, -20.0, 0.1);
}

TEST(FeaturesLoudness, CorpusClipsMatchFfmpeg) {
    if (!test::have_tool("ffmpeg")) GTEST_SKIP() << "ffmpeg absent";
    const auto clips = test::corpus_clips(4);
    if (clips.empty()) GTEST_SKIP() << "corpus absent (set VIBED_CORPUS)";
    const ScratchDir dir;
    for (const auto& clip : clips) expect_matches_ffmpeg(clip, dir);
}

}  // namespace
}  // namespace vibed::core
