// A 3-hour DJ mix must stream through MonoStream in bounded memory. The
// audio is synthesised by a tiny decoder, so nothing big touches the disk.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <numbers>

#include "tests/core/audio_test_util.hpp"

namespace vibed::core {
namespace {

constexpr int kRate = 22050;
constexpr std::int64_t kThreeHours = std::int64_t{3} * 3600 * kRate;

// Stereo 441 Hz tone (exactly 50 samples per period at 22.05 kHz): left
// amplitude 0.5, right -0.25, so the mono mean is a 0.125 sine.
class ToneDecoder final : public AudioDecoder {
public:
    explicit ToneDecoder(std::int64_t frames) : format_{kRate, 2, frames, "synthetic tone"} {
        for (std::size_t i = 0; i < period_.size(); ++i)
            period_[i] = static_cast<float>(std::sin(2 * std::numbers::pi * static_cast<double>(i) / period_.size()));
    }
    [[nodiscard]] const AudioFormat& format() const override { return format_; }
    std::size_t read(float* interleaved, std::size_t max_frames) override {
        const auto frames = static_cast<std::size_t>(std::min<std::int64_t>(
            static_cast<std::int64_t>(max_frames), *format_.frames - position_));
        for (std::size_t i = 0; i < frames; ++i) {
            const float value = period_[static_cast<std::size_t>(position_ + static_cast<std::int64_t>(i)) % period_.size()];
            interleaved[2 * i] = 0.5F * value;
            interleaved[2 * i + 1] = -0.25F * value;
        }
        position_ += static_cast<std::int64_t>(frames);
        return frames;
    }

private:
    AudioFormat format_;
    std::array<float, 50> period_{};
    std::int64_t position_ = 0;
};

std::size_t resident_bytes() {
    std::size_t total_pages = 0;
    std::size_t resident_pages = 0;
    std::ifstream("/proc/self/statm") >> total_pages >> resident_pages;
    return resident_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

double rms(std::span<const float> samples) {
    double energy = 0;
    for (const float sample : samples) energy += double(sample) * sample;
    return std::sqrt(energy / static_cast<double>(samples.size()));
}

// Holding the whole signal would take 950 MB decoded (3 h, 22.05 kHz stereo
// float) and 691 MB at 16 kHz mono; streaming needs a few hundred KB. The
// 32 MiB bound leaves room for allocator noise, not for buffering the signal.
TEST(LongStream, ThreeHoursInBoundedMemory) {
    const std::size_t before = resident_bytes();
    MonoStream stream(std::make_unique<ToneDecoder>(kThreeHours), "three-hour-mix", 16000);
    std::vector<float> block(16000);
    std::size_t total = 0;
    std::size_t peak = before;
    double last_full_block_rms = 0;
    std::size_t blocks = 0;
    while (const std::size_t got = stream.read(block)) {
        total += got;
        if (got == block.size()) last_full_block_rms = rms(block);
        if (++blocks % 600 == 0) peak = std::max(peak, resident_bytes());  // every 10 minutes of audio
    }
    peak = std::max(peak, resident_bytes());
    EXPECT_EQ(total, static_cast<std::size_t>(3 * 3600 * 16000));
    EXPECT_LT(peak - before, std::size_t{32} << 20);
    // Still the right signal at the end: a 0.125-amplitude sine.
    EXPECT_NEAR(last_full_block_rms, 0.125 / std::numbers::sqrt2, 0.001);
}

}  // namespace
}  // namespace vibed::core
