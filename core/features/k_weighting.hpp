#pragma once
// The BS.1770 K-weighting (a high shelf near 1.7 kHz, then a high pass near
// 38 Hz) of interleaved samples at their own rate, summed into the
// channel-weighted mean square that EBU R128 gates.
//
// This is the per-sample hot path of the loudness meter: libebur128 filtered
// each channel on its own as one 4th-order double-precision filter and cost
// about as much as decoding the MP3. Here every sample of a frame goes
// through the same two float biquads at once, the channels side by side in
// one SIMD register (4 channels per register), in one pass that also sums
// the squares. The coefficients are libebur128's (and FFmpeg's) formulas for
// any sample rate; float state is ample for 0.01 LU (tests/core/
// features_loudness_test.cpp compares the result with FFmpeg's meter).

#include <cstddef>
#include <vector>

namespace vibed::core {

class KWeighting {
public:
    // Throws std::invalid_argument for channels < 1 or a rate under 8 kHz.
    KWeighting(int channels, int sample_rate);

    // Filters `frames` interleaved frames (channels as at construction) and
    // adds their channel-weighted squares to the running sum.
    void add(const float* interleaved, std::size_t frames);

    // The weighted mean square per frame of everything added since the last
    // call (`frames` of them), and a fresh sum for the next block.
    [[nodiscard]] double take_mean_square(std::size_t frames);

    // BS.1770 channel weight of channel `index` out of `channels`, as
    // libebur128's default map: L R C LFE Ls Rs (4 channels: L R Ls Rs;
    // 5: L R C Ls Rs); the LFE and any channel past the sixth weigh 0.
    static double channel_weight(int index, int channels);

private:
    static constexpr std::size_t kLanes = 4;
    // Up to kLanes channels filtered together; kept in memory between calls
    // and in SIMD registers during one.
    struct Group {
        std::size_t first_channel = 0;
        std::size_t lanes = 0;
        alignas(16) float weight[kLanes] = {};
        alignas(16) float shelf_state[2][kLanes] = {};
        alignas(16) float high_pass_state[2][kLanes] = {};
    };
    // Per stage: y = b0 x + s1, s1' = c1 x - a1 s1 + s2, s2' = c2 x - a2 s1
    // (transposed direct form II with y substituted: c1 = b1 - a1 b0,
    // c2 = b2 - a2 b0). The high pass has b = 1, -2, 1.
    struct Stage {
        float b0, c1, c2, a1, a2;
    };
    struct Coefficients {
        Stage shelf;
        Stage high_pass;
    };
    static Stage stage(double b0, double b1, double b2, double a1, double a2);

    std::size_t channels_;
    Coefficients k_;
    std::vector<Group> groups_;
    double sum_ = 0;
};

}  // namespace vibed::core
