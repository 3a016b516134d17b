#include "core/features/k_weighting.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace vibed::core {
namespace {

// Four floats the compiler keeps in one SSE register (GCC and Clang vector
// extension): one lane per channel, so the channels cost one filter's time.
using Lanes = float __attribute__((vector_size(16)));

Lanes load(const float (&values)[4]) { return Lanes{values[0], values[1], values[2], values[3]}; }
void store(Lanes lanes, float (&values)[4]) {
    for (int i = 0; i < 4; ++i) values[i] = lanes[i];
}
Lanes splat(float value) { return Lanes{value, value, value, value}; }

// Flush-to-zero and denormals-are-zero while filtering: a fade into digital
// silence leaves the filters' state decaying through denormal floats, which
// cost ~100 times a normal operation on x86. Restored on exit (the setting is
// per thread and other code may rely on IEEE denormals).
class FlushDenormals {
public:
#if defined(__SSE__)
    FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040u); }
    ~FlushDenormals() { _mm_setcsr(saved_); }

private:
    unsigned saved_;
#endif
};

}  // namespace

KWeighting::Stage KWeighting::stage(double b0, double b1, double b2, double a1, double a2) {
    const auto f = [](double value) { return static_cast<float>(value); };
    return {f(b0), f(b1 - a1 * b0), f(b2 - a2 * b0), f(a1), f(a2)};
}

double KWeighting::channel_weight(int index, int channels) {
    constexpr double kSurround = 1.41;  // libebur128's Ls/Rs weight (BS.1770: 1.41)
    if (channels == 4) return index < 2 ? 1.0 : kSurround;
    if (channels == 5) return index < 3 ? 1.0 : kSurround;
    switch (index) {
        case 0: case 1: case 2: return 1.0;  // L R C
        case 4: case 5: return kSurround;    // Ls Rs
        default: return 0.0;                 // the LFE, and channels past the sixth
    }
}

KWeighting::KWeighting(int channels, int sample_rate) : channels_(static_cast<std::size_t>(std::max(channels, 0))) {
    if (channels < 1 || sample_rate < 8000) {
        throw std::invalid_argument("K-weighting: cannot measure " + std::to_string(channels) + " channels at " +
                                    std::to_string(sample_rate) + " Hz");
    }
    // BS.1770's two stages, designed for this rate as libebur128 and FFmpeg do.
    const double rate = sample_rate;
    double k = std::tan(std::numbers::pi * 1681.974450955533 / rate);
    double q = 0.7071752369554196;
    const double vh = std::pow(10.0, 3.999843853973347 / 20.0);
    const double vb = std::pow(vh, 0.4996667741545416);
    double a0 = 1.0 + k / q + k * k;
    k_.shelf = stage((vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0,
                     2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0);
    k = std::tan(std::numbers::pi * 38.13547087602444 / rate);
    q = 0.5003270373238773;
    a0 = 1.0 + k / q + k * k;
    k_.high_pass = stage(1.0, -2.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0);

    // Channels that weigh nothing are never filtered.
    std::size_t last = 0;
    for (std::size_t c = 0; c < channels_; ++c) {
        if (channel_weight(static_cast<int>(c), channels) > 0) last = c + 1;
    }
    for (std::size_t first = 0; first < last; first += kLanes) {
        Group group;
        group.first_channel = first;
        group.lanes = std::min(kLanes, last - first);
        for (std::size_t lane = 0; lane < group.lanes; ++lane) {
            group.weight[lane] = static_cast<float>(channel_weight(static_cast<int>(first + lane), channels));
        }
        groups_.push_back(group);
    }
}

void KWeighting::add(const float* interleaved, std::size_t frames) {
    const FlushDenormals flush;
    // Each stage in transposed direct form II with its output substituted
    // into the state updates: y = b0 x + s1, s1' = (b1 - a1 b0) x - a1 s1 + s2,
    // s2' = (b2 - a2 b0) x - a2 s1. The same filter, but the loop-carried
    // chain is one multiply and one add per sample instead of three steps,
    // and the filter is latency-bound: this form is ~1.5 times faster.
    const auto& sh = k_.shelf;
    const auto& hp = k_.high_pass;
    const Lanes sb0 = splat(sh.b0), sc1 = splat(sh.c1), sc2 = splat(sh.c2), sa1 = splat(sh.a1), sa2 = splat(sh.a2);
    const Lanes hc1 = splat(hp.c1), hc2 = splat(hp.c2), ha1 = splat(hp.a1), ha2 = splat(hp.a2);
    for (Group& group : groups_) {
        Lanes s1 = load(group.shelf_state[0]), s2 = load(group.shelf_state[1]);
        Lanes h1 = load(group.high_pass_state[0]), h2 = load(group.high_pass_state[1]);
        Lanes squares = splat(0);
        const float* frame = interleaved + group.first_channel;
        float in[kLanes] = {};
        for (std::size_t i = 0; i < frames; ++i, frame += channels_) {
            for (std::size_t lane = 0; lane < group.lanes; ++lane) in[lane] = frame[lane];
            const Lanes x = load(in);
            const Lanes shelved = sb0 * x + s1;
            const Lanes shelf_s2 = sc2 * x - sa2 * s1;
            s1 = (sc1 * x + s2) - sa1 * s1;
            s2 = shelf_s2;
            const Lanes weighted = shelved + h1;  // the high pass's b0 is 1
            const Lanes high_pass_h2 = hc2 * shelved - ha2 * h1;
            h1 = (hc1 * shelved + h2) - ha1 * h1;
            h2 = high_pass_h2;
            squares += weighted * weighted;
        }
        store(s1, group.shelf_state[0]);
        store(s2, group.shelf_state[1]);
        store(h1, group.high_pass_state[0]);
        store(h2, group.high_pass_state[1]);
        for (std::size_t lane = 0; lane < group.lanes; ++lane) {
            sum_ += static_cast<double>(group.weight[lane]) * static_cast<double>(squares[lane]);
        }
    }
}

double KWeighting::take_mean_square(std::size_t frames) {
    const double mean = frames > 0 ? sum_ / static_cast<double>(frames) : 0.0;
    sum_ = 0;
    return mean;
}

}  // namespace vibed::core
