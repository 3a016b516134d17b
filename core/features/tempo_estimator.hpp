#pragma once
// Tempo, beat regularity and onset rate from an onset-strength envelope (one
// value per front-end frame, 50 per second), in constant memory: the envelope's
// autocorrelation is accumulated as the frames stream by, so a 3-hour mix
// costs what a 3-minute song does.

#include <array>
#include <cstddef>
#include <vector>

namespace vibed::core {

struct TempoEstimate {
    double bpm = 0;              // 0 when no steady beat was found
    double confidence = 0;       // 0..1; 0 together with bpm 0
    double beat_regularity = 0;  // 0..1
    double onset_rate = 0;       // onsets per second of audio
};

class TempoEstimator {
public:
    // `frames_per_second` of the envelope (front-end hop rate).
    explicit TempoEstimator(double frames_per_second);

    // The next envelope value (>= 0): how much the spectrum rose since the
    // previous frame. `audible` frames count towards the onset rate's duration.
    void push(float onset_strength);
    [[nodiscard]] TempoEstimate finish() const;

    static constexpr double kMinBpm = 40;
    static constexpr double kMaxBpm = 240;

private:
    void accumulate(double value);
    void pick_onset();
    // The smoothed value `back` frames before the newest (back <= max_lag_).
    [[nodiscard]] double recent(std::size_t back) const;

    double frames_per_second_;
    std::size_t max_lag_;
    // Autocorrelation sums over the smoothed envelope: sum of e[t] * e[t - lag].
    std::vector<double> lag_products_;
    // The last max_lag_ + 1 smoothed values, each stored twice (at i and
    // i + span) so that the newest span is always one contiguous run: the
    // per-frame products then vectorise instead of paying a modulo per lag.
    std::vector<double> history_;
    std::size_t span_;
    std::size_t smoothed_count_ = 0;
    double recent_sum_ = 0;  // the last kOnsetMeanFrames smoothed values
    double smoothed_sum_ = 0;
    // Raw envelope: the last three values, for the [1 2 1] smoothing.
    std::array<double, 2> raw_tail_{};
    std::size_t raw_count_ = 0;
    // Onset picking runs on the smoothed envelope with a short delay.
    std::size_t onsets_ = 0;
};

}  // namespace vibed::core
