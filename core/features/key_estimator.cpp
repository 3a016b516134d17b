#include "core/features/key_estimator.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>

namespace vibed::core {
namespace {

// Temperley's profiles from the Kostka-Payne harmony textbook corpus (as in
// music21), tonic first. Krumhansl & Kessler's probe-tone profiles were
// measured too: they took C and C# minor progressions for major (22 of 24 keys
// right, minor keys won by a hair), these get all 24 with clear margins.
constexpr Chroma kMajorProfile = {0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400};
constexpr Chroma kMinorProfile = {0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330};

// Peaks between these frequencies make the chroma: below, the 40 ms window
// cannot tell neighbouring semitones apart; above, partials are mostly noise
// and cymbals.
constexpr double kMinPeakHz = 100;
constexpr double kMaxPeakHz = 5000;
// Peaks more than 30 dB below the frame's strongest are ignored: the Hann
// window's side lobes (-31.5 dB) are not partials.
constexpr double kPeakFloorRatio = 1e-3;
// Frames quieter than this (sum of power over the peak range) hold nothing
// tonal worth counting: about -70 dBFS.
constexpr double kMinFramePower = 1e-2;
// A peak counts towards the pitch classes within half this width (in
// semitones), weighted ~cos^2 (Gomez's HPCP uses 4/3 semitone as well).
constexpr double kPitchWindowSemitones = 4.0 / 3.0;
// A chroma whose peak is less than this many times its mean is flat (a drum
// solo): no key. (60 corpus clips: 1.14 to 2.5, median 1.65; white noise reads
// 1.27-1.29, so noise is told apart by its spectral flatness instead, in
// feature_extractor.cpp.) A single tone is not a key either: fewer than three
// pitch classes above a tenth of the peak.
constexpr double kMinChromaPeakToMean = 1.1;
constexpr std::size_t kMinPitchClasses = 3;
constexpr double kPitchClassShare = 0.1;
constexpr double kBlockSeconds = 1.0;

// log2 to about 2e-4, several times cheaper than std::log2: chroma takes a
// few logarithms per spectral peak, 50 frames a second.
float fast_log2(float x) {
    const auto bits = std::bit_cast<std::uint32_t>(x);
    const auto exponent = static_cast<float>(static_cast<int>((bits >> 23) & 0xFF) - 127);
    const float m = std::bit_cast<float>((bits & 0x007FFFFFU) | 0x3F800000U);  // mantissa in [1, 2)
    // Least-squares quartic for log2 on [1, 2] (max error 2e-4).
    return exponent + (-2.49684606f + m * (4.02854794f + m * (-2.08121416f + m * (0.62887362f - 0.07915816f * m))));
}

// cos^2(pi x / 2) for x in [0, 1] to within 0.01 (Hermite smoothstep of 1 - x).
float bell(float x) { return 1 - x * x * (3 - 2 * x); }

double pearson(const Chroma& a, const Chroma& b) {
    const double mean_a = std::accumulate(a.begin(), a.end(), 0.0) / 12;
    const double mean_b = std::accumulate(b.begin(), b.end(), 0.0) / 12;
    double cross = 0;
    double var_a = 0;
    double var_b = 0;
    for (std::size_t i = 0; i < 12; ++i) {
        cross += (a[i] - mean_a) * (b[i] - mean_b);
        var_a += (a[i] - mean_a) * (a[i] - mean_a);
        var_b += (b[i] - mean_b) * (b[i] - mean_b);
    }
    return var_a > 0 && var_b > 0 ? cross / std::sqrt(var_a * var_b) : 0;
}

Chroma rotated(const Chroma& profile, int tonic) {
    Chroma out{};
    for (std::size_t i = 0; i < 12; ++i) out[(i + static_cast<std::size_t>(tonic)) % 12] = profile[i];
    return out;
}

double cosine_distance(const Chroma& a, const Chroma& b) {
    double cross = 0;
    double norm_a = 0;
    double norm_b = 0;
    for (std::size_t i = 0; i < 12; ++i) {
        cross += a[i] * b[i];
        norm_a += a[i] * a[i];
        norm_b += b[i] * b[i];
    }
    if (norm_a <= 0 || norm_b <= 0) return 0;
    return std::clamp(1 - cross / std::sqrt(norm_a * norm_b), 0.0, 1.0);
}

bool has_tonality(const Chroma& chroma) {
    const double peak = *std::max_element(chroma.begin(), chroma.end());
    const double mean = std::accumulate(chroma.begin(), chroma.end(), 0.0) / 12;
    if (!(peak > 0) || peak < kMinChromaPeakToMean * mean) return false;
    const auto classes = std::count_if(chroma.begin(), chroma.end(), [&](double v) { return v >= kPitchClassShare * peak; });
    return static_cast<std::size_t>(classes) >= kMinPitchClasses;
}

}  // namespace

KeyEstimator::KeyEstimator(double bin_hz, double frames_per_second)
    : bin_hz_(bin_hz), block_frames_(static_cast<std::size_t>(std::lround(kBlockSeconds * frames_per_second))) {}

void KeyEstimator::push(std::span<const float> power) {
    const auto first = static_cast<std::size_t>(std::ceil(kMinPeakHz / bin_hz_));
    const std::size_t last = std::min(power.size() - 2, static_cast<std::size_t>(kMaxPeakHz / bin_hz_));
    float strongest = 0;
    double frame_power = 0;
    for (std::size_t k = first; k <= last; ++k) {
        strongest = std::max(strongest, power[k]);
        frame_power += power[k];
    }
    if (frame_power >= kMinFramePower) {
        const float floor = static_cast<float>(kPeakFloorRatio) * strongest;
        constexpr auto kHalfWindow = static_cast<float>(kPitchWindowSemitones / 2);
        const float note_of_bin = 69 - 12 * fast_log2(440.0f / static_cast<float>(bin_hz_));
        for (std::size_t k = first; k <= last; ++k) {
            if (!(power[k] > power[k - 1] && power[k] >= power[k + 1] && power[k] > floor)) continue;
            // Parabolic interpolation on log power: the true frequency of a
            // partial to a small fraction of a bin, whatever the 15.6 Hz grid.
            const float left = fast_log2(std::max(power[k - 1], 1e-30f));
            const float centre = fast_log2(power[k]);
            const float right = fast_log2(std::max(power[k + 1], 1e-30f));
            const float curvature = left - 2 * centre + right;
            const float offset = curvature < 0 ? std::clamp(0.5f * (left - right) / curvature, -0.5f, 0.5f) : 0.0f;
            // MIDI note number of the peak's frequency (k + offset) * bin_hz_.
            const float semitones = note_of_bin + 12 * fast_log2(static_cast<float>(k) + offset);
            const float amplitude = std::sqrt(power[k]);
            const float nearest = std::round(semitones);
            for (float note = nearest - 1; note <= nearest + 1; note += 1) {
                const float distance = std::abs(semitones - note);
                if (distance >= kHalfWindow) continue;
                const auto pitch_class = static_cast<std::size_t>(((static_cast<long>(note) % 12) + 12) % 12);
                block_[pitch_class] += amplitude * bell(distance / kHalfWindow);
            }
        }
    }
    if (++frames_in_block_ == block_frames_) end_block();
}

void KeyEstimator::end_block() {
    frames_in_block_ = 0;
    for (std::size_t i = 0; i < 12; ++i) total_[i] += block_[i];
    // Harmonic change only between consecutive tonal seconds: silence or a
    // drum break neither counts as change nor as stillness.
    if (has_tonality(block_)) {
        if (have_previous_block_) {
            change_sum_ += cosine_distance(previous_block_, block_);
            ++change_count_;
        }
        previous_block_ = block_;
        have_previous_block_ = true;
    }
    block_ = Chroma{};
}

KeyEstimate KeyEstimator::key_of(const Chroma& chroma) {
    KeyEstimate estimate;
    if (!has_tonality(chroma)) return estimate;
    double best_major = -1;
    double best_minor = -1;
    int major_key = 0;
    int minor_key = 0;
    for (int tonic = 0; tonic < 12; ++tonic) {
        const double major = pearson(chroma, rotated(kMajorProfile, tonic));
        const double minor = pearson(chroma, rotated(kMinorProfile, tonic));
        if (major > best_major) best_major = major, major_key = tonic;
        if (minor > best_minor) best_minor = minor, minor_key = tonic;
    }
    const bool major = best_major >= best_minor;
    estimate.key = major ? major_key : minor_key;
    estimate.mode = major ? Mode::major : Mode::minor;
    estimate.key_strength = std::clamp(std::max(best_major, best_minor), 0.0, 1.0);
    estimate.majorness = std::clamp(best_major - best_minor, -1.0, 1.0);
    return estimate;
}

KeyEstimate KeyEstimator::finish() const {
    Chroma total = total_;
    for (std::size_t i = 0; i < 12; ++i) total[i] += block_[i];  // the last, partial second
    KeyEstimate estimate = key_of(total);
    if (change_count_ > 0) estimate.harmonic_change = change_sum_ / static_cast<double>(change_count_);
    return estimate;
}

}  // namespace vibed::core
