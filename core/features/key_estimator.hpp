#pragma once
// Key, mode and harmonic movement from the front end's power spectra: a
// 12-bin chroma from interpolated spectral peaks, correlated with key profiles.
// Constant memory: the whole track's chroma is a running sum.

#include <array>
#include <span>

#include "core/features/musical_features.hpp"

namespace vibed::core {

struct KeyEstimate {
    int key = -1;  // 0 = C .. 11 = B, -1 unknown
    Mode mode = Mode::unknown;
    double key_strength = 0;     // 0..1
    double majorness = 0;        // -1..1
    double harmonic_change = 0;  // 0..1
};

using Chroma = std::array<double, 12>;

class KeyEstimator {
public:
    // `bin_hz`: frequency step of the power spectra; `frames_per_second`: how
    // many spectra per second of audio.
    KeyEstimator(double bin_hz, double frames_per_second);

    // One frame's power spectrum (bins 0..N/2).
    void push(std::span<const float> power);
    [[nodiscard]] KeyEstimate finish() const;

    // The key whose profile correlates best with `chroma` (exposed for tests).
    [[nodiscard]] static KeyEstimate key_of(const Chroma& chroma);

private:
    void end_block();

    double bin_hz_;
    std::size_t block_frames_;
    Chroma total_{};
    Chroma block_{};
    std::size_t frames_in_block_ = 0;
    Chroma previous_block_{};
    bool have_previous_block_ = false;
    double change_sum_ = 0;
    std::size_t change_count_ = 0;
};

}  // namespace vibed::core
