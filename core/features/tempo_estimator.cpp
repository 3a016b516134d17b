#include "core/features/tempo_estimator.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace vibed::core {
namespace {

// Tempo prior: log-normal around 120 BPM, one octave wide (as librosa's
// beat tracker), so that an ambiguous beat lands at a moderate tempo.
constexpr double kPriorCentreBpm = 120;
constexpr double kPriorOctaves = 1.0;
// A faster pulse this nearly as strong as the chosen one is the beat (a
// metronome at 180 BPM repeats at 90 just as well).
constexpr double kFasterPulseRatio = 0.75;
// Below this confidence there is no steady beat: bpm and confidence are 0.
constexpr double kMinConfidence = 0.1;
// Too little audio for a tempo: fewer than this many seconds, or fewer onsets
// than this per second (a held chord or a sine has a perfectly periodic but
// inaudible flicker in its envelope).
constexpr double kMinSeconds = 4;
constexpr double kMinOnsetRate = 0.3;
// The beat's autocorrelation must stand out of chance: the envelope of noise
// has |r| below ~3.5 / sqrt(frames) at every lag (its [1 2 1] smoothing
// widens the spread by ~1.4).
constexpr double kChanceCorrelation = 5.0;
constexpr std::size_t kBeatMultiples = 4;
// Onset picking: a local maximum within +-kPeakHalfWidth frames, above
// kOnsetThresholdRatio times the mean of the last kOnsetMeanFrames plus an
// absolute floor (mean dB rise per mel band).
constexpr std::size_t kPeakHalfWidth = 3;
constexpr std::size_t kOnsetMeanFrames = 50;
constexpr double kOnsetThresholdRatio = 1.5;
constexpr double kMinOnsetStrength = 0.5;

double lag_of(double bpm, double frames_per_second) { return 60.0 * frames_per_second / bpm; }

}  // namespace

TempoEstimator::TempoEstimator(double frames_per_second)
    : frames_per_second_(frames_per_second),
      max_lag_(static_cast<std::size_t>(std::ceil(lag_of(kMinBpm, frames_per_second) * kBeatMultiples)) + 1),
      lag_products_(max_lag_ + 1, 0.0),
      history_(2 * (max_lag_ + 1), 0.0),
      span_(max_lag_ + 1) {}

double TempoEstimator::recent(std::size_t back) const {
    return history_[(smoothed_count_ - 1) % span_ + span_ - back];
}

void TempoEstimator::push(float onset_strength) {
    const double raw = std::max(0.0, static_cast<double>(onset_strength));
    // [1 2 1] / 4 smoothing: autocorrelation peaks one or two frames wide become
    // smooth enough to interpolate between lags. One frame of delay.
    if (raw_count_ >= 2) accumulate((raw_tail_[0] + 2 * raw_tail_[1] + raw) / 4);
    raw_tail_[0] = raw_tail_[1];
    raw_tail_[1] = raw;
    ++raw_count_;
}

void TempoEstimator::accumulate(double value) {
    const std::size_t slot = smoothed_count_ % span_;
    history_[slot] = value;
    history_[slot + span_] = value;
    // newest[-lag] is the value `lag` frames back; before the start it is 0, which adds nothing.
    const double* newest = history_.data() + slot + span_;
    double* products = lag_products_.data();
    for (std::size_t lag = 0; lag <= max_lag_; ++lag) products[lag] += value * newest[-static_cast<std::ptrdiff_t>(lag)];
    smoothed_sum_ += value;
    recent_sum_ += value;
    if (smoothed_count_ >= kOnsetMeanFrames) recent_sum_ -= newest[-static_cast<std::ptrdiff_t>(kOnsetMeanFrames)];
    ++smoothed_count_;
    pick_onset();
}

void TempoEstimator::pick_onset() {
    // Decide about the frame kPeakHalfWidth back, now that its right side is known.
    if (smoothed_count_ < 2 * kPeakHalfWidth + 1) return;
    const double value = recent(kPeakHalfWidth);
    if (value <= recent(kPeakHalfWidth + 1)) return;
    for (std::size_t back = 0; back <= 2 * kPeakHalfWidth; ++back) {
        if (recent(back) > value) return;
    }
    const double local_mean = recent_sum_ / static_cast<double>(std::min(smoothed_count_, kOnsetMeanFrames));
    if (value > kOnsetThresholdRatio * local_mean + kMinOnsetStrength) ++onsets_;
}

namespace {

constexpr double kMinBpm = TempoEstimator::kMinBpm;
constexpr double kMaxBpm = TempoEstimator::kMaxBpm;

// The normalised autocovariance r[lag] of the onset envelope (r[0] = 1), read
// between lags by linear interpolation.
struct Autocorrelation {
    std::vector<double> r;
    std::size_t max_lag = 0;

    [[nodiscard]] double at(double lag) const {
        if (lag < 0 || lag >= static_cast<double>(max_lag)) return 0.0;
        const auto below = static_cast<std::size_t>(lag);
        const double fraction = lag - static_cast<double>(below);
        return r[below] * (1 - fraction) + r[below + 1] * fraction;
    }
};

// The beat: the strongest periodicity, weighted by the prior; 0 when none.
double strongest_beat(const Autocorrelation& r, double frames_per_second) {
    double best_bpm = 0;
    double best_score = 0;
    for (double bpm = kMinBpm; bpm <= kMaxBpm; bpm += 0.1) {
        const double octaves = std::log2(bpm / kPriorCentreBpm) / kPriorOctaves;
        const double score = std::max(0.0, r.at(lag_of(bpm, frames_per_second))) * std::exp(-0.5 * octaves * octaves);
        if (score > best_score) {
            best_score = score;
            best_bpm = bpm;
        }
    }
    if (best_bpm == 0) return 0;
    const double best_lag = lag_of(best_bpm, frames_per_second);
    if (2 * best_bpm <= kMaxBpm && r.at(best_lag / 2) >= kFasterPulseRatio * r.at(best_lag)) best_bpm *= 2;
    return best_bpm;
}

struct RefinedBeat {
    double bpm = 0;
    double score = 0;  // the mean correlation at the beat's multiples
};

// Refines the beat with its multiples, which pin the period to a fraction of
// a frame: the peak of r near each k * lag, located by parabolic
// interpolation, and the period fitted through them (least squares through
// the origin: lag = sum(k * p_k) / sum(k^2)).
RefinedBeat refine_with_multiples(const Autocorrelation& autocorrelation, double bpm, double frames_per_second) {
    const std::vector<double>& r = autocorrelation.r;
    const double coarse_lag = lag_of(bpm, frames_per_second);
    double k_times_peak = 0;
    double k_squared = 0;
    double refined_score = 0;
    std::size_t multiples = 0;
    for (std::size_t k = 1; k <= kBeatMultiples; ++k) {
        const double expected = static_cast<double>(k) * coarse_lag;
        const double reach = std::max(1.0, 0.04 * expected);
        const auto low = static_cast<std::size_t>(std::max(1.0, std::floor(expected - reach)));
        const auto high = static_cast<std::size_t>(std::ceil(expected + reach));
        if (high + 1 > autocorrelation.max_lag) break;
        std::size_t at = low;
        for (std::size_t lag = low; lag <= high; ++lag) {
            if (r[lag] > r[at]) at = lag;
        }
        double peak_lag = static_cast<double>(at);
        const double curvature = r[at - 1] - 2 * r[at] + r[at + 1];
        if (curvature < 0) peak_lag += std::clamp(0.5 * (r[at - 1] - r[at + 1]) / curvature, -0.5, 0.5);
        k_times_peak += static_cast<double>(k) * peak_lag;
        k_squared += static_cast<double>(k * k);
        refined_score += r[at];
        ++multiples;
    }
    const double refined_lag = multiples > 0 ? k_times_peak / k_squared : coarse_lag;
    return {std::clamp(60.0 * frames_per_second / refined_lag, kMinBpm, kMaxBpm),
            multiples > 0 ? refined_score / static_cast<double>(multiples) : 0};
}

// How far the beat's correlation `peak` stands above the typical one over the
// whole tempo range, in [0, 1].
double confidence_of(const Autocorrelation& r, double peak, double frames_per_second) {
    const auto lag_min = static_cast<std::size_t>(std::floor(lag_of(kMaxBpm, frames_per_second)));
    const auto lag_max = static_cast<std::size_t>(std::ceil(lag_of(kMinBpm, frames_per_second)));
    double typical = 0;
    for (std::size_t lag = lag_min; lag <= lag_max; ++lag) typical += r.r[lag];
    typical /= static_cast<double>(lag_max - lag_min + 1);
    return typical < 1 ? std::clamp((peak - typical) / (1 - typical), 0.0, 1.0) : 0.0;
}

}  // namespace

TempoEstimate TempoEstimator::finish() const {
    TempoEstimate estimate;
    const auto frames = static_cast<double>(smoothed_count_);
    if (smoothed_count_ == 0) return estimate;
    estimate.onset_rate = static_cast<double>(onsets_) / (frames / frames_per_second_);
    if (frames / frames_per_second_ < kMinSeconds || estimate.onset_rate < kMinOnsetRate) return estimate;

    const double mean = smoothed_sum_ / frames;
    Autocorrelation r{std::vector<double>(max_lag_ + 1, 0.0), max_lag_};
    for (std::size_t lag = 0; lag <= max_lag_ && lag < smoothed_count_; ++lag) {
        r.r[lag] = lag_products_[lag] / (frames - static_cast<double>(lag)) - mean * mean;
    }
    const double variance = r.r[0];
    if (!(variance > 1e-12)) return estimate;  // a constant envelope: no onsets at all
    for (double& value : r.r) value /= variance;

    const double beat = strongest_beat(r, frames_per_second_);
    if (beat == 0) return estimate;
    const RefinedBeat refined = refine_with_multiples(r, beat, frames_per_second_);
    const double peak = r.at(lag_of(refined.bpm, frames_per_second_));
    const double confidence = confidence_of(r, peak, frames_per_second_);

    estimate.beat_regularity = std::clamp(refined.score, 0.0, 1.0);
    if (confidence >= kMinConfidence && peak >= kChanceCorrelation / std::sqrt(frames)) {
        estimate.bpm = refined.bpm;
        estimate.confidence = confidence;
    }
    return estimate;
}

}  // namespace vibed::core
