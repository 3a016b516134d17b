#include "core/features/loudness_meter.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace vibed::core {
namespace {

constexpr double kAbsoluteGateLufs = -70;
constexpr std::size_t kMomentaryBlocks = 4;    // 400 ms
constexpr std::size_t kShortTermBlocks = 30;   // 3 s
constexpr double kHistogramTopLufs = 10;
constexpr double kBinsPerLu = 100;
constexpr auto kHistogramBins = static_cast<std::size_t>((kHistogramTopLufs - kAbsoluteGateLufs) * kBinsPerLu) + 1;
constexpr double kIntegratedGateLu = -10;  // BS.1770 relative gate
constexpr double kRangeGateLu = -20;       // EBU Tech 3342
constexpr double kRangeLowPercent = 10;
constexpr double kRangeHighPercent = 95;

double power_of(double lufs) { return std::pow(10.0, (lufs + 0.691) / 10); }
double lufs_of(double power) { return -0.691 + 10 * std::log10(power); }
double bin_lufs(std::size_t bin) { return static_cast<double>(bin) / kBinsPerLu + kAbsoluteGateLufs; }

std::size_t bin_of(double lufs) {
    const double position = std::lrint(kBinsPerLu * (lufs - kAbsoluteGateLufs));
    return static_cast<std::size_t>(std::clamp(position, 0.0, static_cast<double>(kHistogramBins - 1)));
}

}  // namespace

LoudnessMeter::GatedHistogram::GatedHistogram() : counts_(kHistogramBins, 0) {}

void LoudnessMeter::GatedHistogram::add(double lufs) {
    ++counts_[bin_of(lufs)];
    power_sum_ += power_of(lufs);
    ++kept_;
}

std::size_t LoudnessMeter::GatedHistogram::gate_bin(double offset_lu) const {
    const double mean_power = kept_ > 0 ? power_sum_ / static_cast<double>(kept_) : 0;
    return bin_of(lufs_of(std::max(mean_power, 1e-12)) + offset_lu);
}

// Channel weights: KWeighting::channel_weight (libebur128's default map); a
// mono file is one front channel, as FFmpeg's ebur128 filter treats it.
LoudnessMeter::LoudnessMeter(int channels, int sample_rate)
    : channels_(static_cast<std::size_t>(std::max(channels, 1))), weighting_(channels, sample_rate),
      tick_frames_(static_cast<std::size_t>(std::max(1, sample_rate / 10))), frames_to_tick_(tick_frames_),
      sample_rate_(static_cast<std::size_t>(sample_rate)) {}

LoudnessMeter::~LoudnessMeter() = default;

void LoudnessMeter::add(std::span<const float> interleaved) {
    std::size_t frames = interleaved.size() / channels_;
    const float* data = interleaved.data();
    while (frames > 0) {
        // Feed up to the next 100 ms boundary, where FFmpeg's meter takes its readings.
        const std::size_t chunk = std::min(frames, frames_to_tick_);
        weighting_.add(data, chunk);
        data += chunk * channels_;
        frames -= chunk;
        frames_to_tick_ -= chunk;
        if (frames_to_tick_ == 0) {
            on_tick();
            frames_to_tick_ = tick_frames_;
        }
    }
}

void LoudnessMeter::on_tick() {
    block_energies_[blocks_ % block_energies_.size()] = weighting_.take_mean_square(tick_frames_);
    ++blocks_;
    // A block counts once it is full: 400 ms for the momentary, 3 s for the short-term loudness.
    const auto mean_of_last = [&](std::size_t count) {
        double sum = 0;
        for (std::size_t i = 0; i < count; ++i) sum += block_energies_[(blocks_ - 1 - i) % block_energies_.size()];
        return sum / static_cast<double>(count);
    };
    if (blocks_ >= kMomentaryBlocks) {
        const double energy = mean_of_last(kMomentaryBlocks);
        if (energy > 0 && lufs_of(energy) >= kAbsoluteGateLufs) momentary_.add(lufs_of(energy));
    }
    if (blocks_ >= kShortTermBlocks) {
        const double energy = mean_of_last(kShortTermBlocks);
        if (energy > 0 && lufs_of(energy) >= kAbsoluteGateLufs) short_term_.add(lufs_of(energy));
    }
}

Loudness LoudnessMeter::result() const {
    Loudness loudness;
    // Integrated: the power mean of the momentary blocks above the relative gate.
    const auto& blocks = momentary_.counts();
    double power_sum = 0;
    std::uint64_t kept = 0;
    for (std::size_t bin = momentary_.gate_bin(kIntegratedGateLu); bin < blocks.size(); ++bin) {
        power_sum += static_cast<double>(blocks[bin]) * power_of(bin_lufs(bin));
        kept += blocks[bin];
    }
    if (kept > 0) loudness.integrated_lufs = std::max(kAbsoluteGateLufs, lufs_of(power_sum / static_cast<double>(kept)));

    // Range: the 10th to 95th percentile of the short-term values above their relative gate.
    const auto& values = short_term_.counts();
    const std::size_t gate = short_term_.gate_bin(kRangeGateLu);
    std::uint64_t gated = 0;
    for (std::size_t bin = gate; bin < values.size(); ++bin) gated += values[bin];
    if (gated == 0) return loudness;
    const auto low_rank = static_cast<std::uint64_t>(kRangeLowPercent * static_cast<double>(gated) * 0.01 + 0.5);
    const auto high_rank = static_cast<std::uint64_t>(kRangeHighPercent * static_cast<double>(gated) * 0.01 + 0.5);
    double low = 0;
    double high = 0;
    std::uint64_t seen = 0;
    for (std::size_t bin = gate; bin < values.size(); ++bin) {
        seen += values[bin];
        if (seen >= low_rank) {
            low = bin_lufs(bin);
            break;
        }
    }
    std::uint64_t below = gated;
    for (std::size_t bin = values.size(); bin-- > 0;) {
        below -= std::min(below, values[bin]);
        if (below < high_rank) {
            high = bin_lufs(bin);
            break;
        }
    }
    loudness.range_lu = std::max(0.0, high - low);
    return loudness;
}

}  // namespace vibed::core
