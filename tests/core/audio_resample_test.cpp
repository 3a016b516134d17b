// MonoStream's downmix and resampling against VibeNet's own loader
// (golden files from tests/golden/resample_golden.py), and the streaming
// guarantees: block sizes never change the output; 16 kHz passes through.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <span>

#include "core/audio/resampler.hpp"
#include "tests/core/audio_test_util.hpp"

namespace vibed::core {
namespace {

using test::fixture;
using test::read_all;

const std::filesystem::path kGolden = std::filesystem::path(VIBED_SOURCE_DIR) / "tests" / "golden";

std::vector<float> read_f32(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << path;
    std::vector<float> values(std::filesystem::file_size(path) / sizeof(float));
    in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
    return values;
}

float max_abs_difference(std::span<const float> a, std::span<const float> b) {
    float worst = 0;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
    return worst;
}

class GoldenResample : public ::testing::TestWithParam<const char*> {};

// Same length and the same samples as python-soxr. The tolerance (1e-6, about
// -120 dB) only absorbs float rounding between libsoxr builds (Debian's 0.1.3
// here, python-soxr's bundled copy there); on this machine the match is exact.
TEST_P(GoldenResample, MatchesVibeNetLoader) {
    const std::string name = GetParam();
    const std::vector<float> expected = read_f32(kGolden / (name + ".expected.f32"));
    ASSERT_FALSE(expected.empty());
    const std::vector<float> ours = read_all(kGolden / (name + ".wav"));
    ASSERT_EQ(ours.size(), expected.size());
    EXPECT_LE(max_abs_difference(ours, expected), 1e-6F);
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenResample,
                         ::testing::Values("resample_44100_stereo", "resample_48000_mono", "resample_22050_mono"));

TEST(MonoStream, OutputDoesNotDependOnReadSize) {
    const auto path = kGolden / "resample_44100_stereo.wav";
    const std::vector<float> reference = read_all(path, 100000);
    ASSERT_FALSE(reference.empty());
    for (const std::size_t chunk : {1UL, 7UL, 320UL, 4096UL}) {
        EXPECT_EQ(read_all(path, chunk), reference) << "chunk " << chunk;
    }
}

TEST(MonoStream, KeepsReturningZeroAtTheEnd) {
    MonoStream stream(kGolden / "resample_48000_mono.wav");
    read_all(stream);
    std::vector<float> buffer(16);
    EXPECT_EQ(stream.read(buffer), 0U);
    EXPECT_EQ(stream.read(buffer), 0U);
}

TEST(MonoStream, SixteenKilohertzPassesThroughUnchanged) {
    const auto path = fixture("tone-16k.wav");
    auto decoder = open_audio(path);
    ASSERT_EQ(decoder->format().sample_rate, 16000);
    ASSERT_EQ(decoder->format().channels, 1);
    const std::vector<float> decoded = test::decode_all(*decoder);
    ASSERT_EQ(decoded.size(), 16000U);
    EXPECT_EQ(read_all(path, 333), decoded);
}

// The resampler alone: one call with the whole signal versus many uneven
// pieces with a small output buffer must give identical samples.
TEST(Resampler, StreamingEqualsOneShot) {
    std::vector<float> input(30000);
    for (std::size_t i = 0; i < input.size(); ++i)
        input[i] = static_cast<float>(0.5 * std::sin(0.001 * static_cast<double>(i * i) / 300.0));

    auto run = [&](std::size_t in_piece, std::size_t out_piece) {
        Resampler resampler("test signal", 44100, 16000);
        std::vector<float> output;
        std::vector<float> buffer(out_piece);
        std::span<const float> rest(input);
        while (!rest.empty()) {
            const auto progress = resampler.process(rest.first(std::min(in_piece, rest.size())), buffer);
            rest = rest.subspan(progress.consumed);
            output.insert(output.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(progress.produced));
        }
        while (const std::size_t produced = resampler.flush(buffer))
            output.insert(output.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(produced));
        return output;
    };

    const std::vector<float> one_shot = run(input.size(), input.size());
    // 30000 samples at 44.1 kHz are 10884.35 samples at 16 kHz.
    EXPECT_NEAR(static_cast<double>(one_shot.size()), 30000.0 * 16000 / 44100, 1.0);
    EXPECT_EQ(run(1, 1), one_shot);
    EXPECT_EQ(run(1000, 37), one_shot);
    EXPECT_EQ(run(4093, 5000), one_shot);
}

}  // namespace
}  // namespace vibed::core
