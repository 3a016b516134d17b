#pragma once
// EBU R128 loudness of a decoded stream, measured on the decoder's original
// channels at its original rate (a 16 kHz mono downmix would not match other
// R128 meters within 0.1 LU).
//
// KWeighting (core/features/k_weighting.hpp) gives the channel-weighted
// K-weighted energy of every 100 ms; the momentary (400 ms) and short-term (3 s) energies are
// the means of the last 4 and 30 of those (asking libebur128 for its 3 s
// window every 100 ms re-sums 3 s of samples each time: 1 s of CPU per
// 4-minute track). libebur128 did the K-weighting until issue 20; ours does
// the same filter on all channels at once for a fraction of its cost. Gating and the loudness range are computed here the way
// FFmpeg's ebur128 filter computes them (0.01 LU histograms, short-term values
// every 100 ms), because libebur128's own loudness range takes one short-term
// value per second and differs from FFmpeg's by up to 1.6 LU on real clips.
// Memory is constant: two histograms.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/features/k_weighting.hpp"

namespace vibed::core {

struct Loudness {
    double integrated_lufs = -70;  // -70 (the absolute gate) when nothing passes the gates
    double range_lu = 0;           // 0 when too short or silent
};

class LoudnessMeter {
public:
    // Throws std::runtime_error (the caller adds the file name).
    LoudnessMeter(int channels, int sample_rate);
    ~LoudnessMeter();
    LoudnessMeter(const LoudnessMeter&) = delete;
    LoudnessMeter& operator=(const LoudnessMeter&) = delete;

    // Interleaved frames with the channel count given at construction.
    void add(std::span<const float> interleaved);
    [[nodiscard]] Loudness result() const;

    // Loudness values on a 0.01 LU grid from -70 to +10 LUFS, with the power
    // mean of every value kept, for gating (as FFmpeg's filter).
    class GatedHistogram {
    public:
        GatedHistogram();
        void add(double lufs);
        [[nodiscard]] std::uint64_t values() const { return kept_; }
        // The bin of the gate `offset_lu` below the power mean of all values.
        [[nodiscard]] std::size_t gate_bin(double offset_lu) const;
        [[nodiscard]] const std::vector<std::uint64_t>& counts() const { return counts_; }

    private:
        std::vector<std::uint64_t> counts_;
        double power_sum_ = 0;
        std::uint64_t kept_ = 0;
    };

private:
    void on_tick();

    std::size_t channels_;
    KWeighting weighting_;
    std::size_t tick_frames_;       // 100 ms
    std::size_t frames_to_tick_;
    std::size_t sample_rate_;
    std::array<double, 30> block_energies_{};  // the last 3 s, 100 ms each (ring)
    std::size_t blocks_ = 0;
    GatedHistogram momentary_;   // 400 ms blocks: integrated loudness
    GatedHistogram short_term_;  // 3 s blocks: loudness range
};

}  // namespace vibed::core
