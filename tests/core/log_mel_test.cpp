// The C++ front end against VibeNet's own extract_mel (golden files written
// by tests/golden/make_mel_golden.py), plus its streaming behaviour.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/features/log_mel.hpp"

namespace vibed::core {
namespace {

namespace fs = std::filesystem;

// Float32 FFTs in different libraries round differently; 1e-3 dB is far below
// anything the model can notice and far above that rounding.
constexpr float kGoldenToleranceDb = 1e-3f;

std::vector<float> read_f32(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    EXPECT_TRUE(in) << file;
    in.seekg(0, std::ios::end);
    std::vector<float> values(static_cast<std::size_t>(in.tellg()) / sizeof(float));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
    return values;
}

std::vector<fs::path> golden_cases() {
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(fs::path(VIBED_SOURCE_DIR) / "tests/golden")) {
        const auto name = entry.path().filename().string();
        if (name.starts_with("mel_") && entry.path().extension() == ".json") cases.push_back(entry.path());
    }
    std::sort(cases.begin(), cases.end());
    return cases;
}

std::vector<float> test_signal(std::size_t samples) {
    std::mt19937 random(7);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    std::vector<float> signal(samples);
    for (std::size_t n = 0; n < samples; ++n) {
        signal[n] = 0.4f * std::sin(0.05f * static_cast<float>(n)) + noise(random);
    }
    return signal;
}

TEST(LogMel, MatchesVibeNetGoldenFiles) {
    const auto cases = golden_cases();
    ASSERT_FALSE(cases.empty()) << "no tests/golden/mel_*.json";
    for (const auto& meta_path : cases) {
        SCOPED_TRACE(meta_path.filename().string());
        const auto meta = nlohmann::json::parse(std::ifstream(meta_path));
        auto stem = meta_path;
        stem.replace_extension();
        const auto input = read_f32(stem.string() + ".in.f32");
        const auto expected = read_f32(stem.string() + ".out.f32");
        ASSERT_EQ(input.size(), meta.at("samples").get<std::size_t>());

        const LogMel mel = compute_log_mel(input);
        ASSERT_EQ(mel.frames, meta.at("frames").get<std::size_t>());
        ASSERT_EQ(mel.values.size(), expected.size());
        float worst = 0;
        for (std::size_t i = 0; i < expected.size(); ++i) worst = std::max(worst, std::abs(mel.values[i] - expected[i]));
        EXPECT_LE(worst, kGoldenToleranceDb);
    }
}

TEST(LogMel, FrameCountFollowsSlidingWindow) {
    EXPECT_EQ(compute_log_mel(test_signal(640)).frames, 1u);
    EXPECT_EQ(compute_log_mel(test_signal(959)).frames, 1u);
    EXPECT_EQ(compute_log_mel(test_signal(960)).frames, 2u);
    EXPECT_EQ(compute_log_mel(test_signal(16000)).frames, (16000u - 640u) / 320u + 1u);
}

TEST(LogMel, ShorterThanOneWindowIsPaddedToOneFrame) {
    const LogMel mel = compute_log_mel(test_signal(100));
    ASSERT_EQ(mel.frames, 1u);
    EXPECT_EQ(mel.values.size(), static_cast<std::size_t>(kMelBands));
}

TEST(LogMel, EmptySignalGivesOneSilentFrameAtTheFloor) {
    const LogMel mel = compute_log_mel({});
    ASSERT_EQ(mel.frames, 1u);
    for (float value : mel.values) EXPECT_FLOAT_EQ(value, -100.0f);  // 10*log10(1e-10)
}

TEST(LogMel, TopDbClampsToEightyBelowTheClipMaximum) {
    auto signal = test_signal(32000);
    std::fill(signal.begin() + 8000, signal.begin() + 16000, 0.0f);  // a silent stretch
    const LogMel mel = compute_log_mel(signal);
    const float max = *std::max_element(mel.values.begin(), mel.values.end());
    const float min = *std::min_element(mel.values.begin(), mel.values.end());
    EXPECT_FLOAT_EQ(min, max - kTopDb);
}

TEST(LogMel, StreamingInOddBlocksEqualsOneShot) {
    const auto signal = test_signal(50000);
    const LogMel whole = compute_log_mel(signal);

    LogMelExtractor extractor;
    std::mt19937 random(3);
    std::uniform_int_distribution<std::size_t> block_size(1, 2000);
    for (std::size_t offset = 0; offset < signal.size();) {
        const std::size_t count = std::min(block_size(random), signal.size() - offset);
        extractor.push(std::span<const float>(signal.data() + offset, count));
        offset += count;
    }
    const LogMel streamed = extractor.finish();
    ASSERT_EQ(streamed.frames, whole.frames);
    EXPECT_EQ(streamed.values, whole.values);
}

TEST(LogMel, TakeSplitsIntoClipsWithTheirOwnReference) {
    const auto signal = test_signal(48000);
    LogMelExtractor extractor;
    extractor.push(signal);
    const std::size_t total = extractor.pending_frames();
    const LogMel first = extractor.take(50);
    const LogMel rest = extractor.finish();
    EXPECT_EQ(first.frames, 50u);
    EXPECT_EQ(rest.frames, total - 50);
}

// Excerpts of a track share one top-dB reference (core/analysis): their clips
// are taken without a floor, joined, and floored against one reference.
TEST(LogMel, ClipsTakenWithoutAFloorJoinAndFloorAgainstOneReference) {
    auto signal = test_signal(32000);
    std::fill(signal.begin() + 16000, signal.end(), 0.0f);  // the second half is digital silence
    LogMelExtractor extractor;
    extractor.push(signal);
    const LogMel loud = extractor.take(50, TopDb::none);  // frame 50 starts at sample 16000
    const LogMel quiet = extractor.finish(TopDb::none);
    // Unfloored: digital silence reads the 1e-10 power floor, -100 dB, far more than 80 dB down.
    EXPECT_FLOAT_EQ(*std::min_element(quiet.values.begin(), quiet.values.end()), -100.0f);
    EXPECT_LT(max_db(quiet), max_db(loud) - kTopDb);

    const std::vector<LogMel> parts{loud, quiet};
    LogMel joined = join_clips(parts);
    ASSERT_EQ(joined.frames, loud.frames + quiet.frames);
    for (const std::size_t band : {0UL, 63UL, 127UL}) {
        EXPECT_EQ(joined.at(band, 0), loud.at(band, 0));
        EXPECT_EQ(joined.at(band, loud.frames - 1), loud.at(band, loud.frames - 1));
        EXPECT_EQ(joined.at(band, loud.frames), quiet.at(band, 0));
        EXPECT_EQ(joined.at(band, joined.frames - 1), quiet.at(band, quiet.frames - 1));
    }
    apply_top_db(joined, max_db(loud));
    EXPECT_FLOAT_EQ(*std::min_element(joined.values.begin(), joined.values.end()), max_db(loud) - kTopDb);
    // The same as the whole signal's clip with its own reference, which is the loud part's.
    const LogMel whole = compute_log_mel(signal);
    ASSERT_EQ(whole.frames, joined.frames);
    EXPECT_EQ(whole.values, joined.values);
}

}  // namespace
}  // namespace vibed::core
