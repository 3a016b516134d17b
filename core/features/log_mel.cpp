#include "core/features/log_mel.hpp"

#include <kiss_fftr.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <new>
#include <numbers>

namespace vibed::core {
namespace {

constexpr double kMelMinHz = 0.0;
constexpr double kMelMaxHz = 8000.0;
constexpr float kPowerFloor = 1e-10f;

// Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz,
// logarithmic above.
constexpr double kSlaneyLinearStep = 200.0 / 3.0;
constexpr double kSlaneyLogStartHz = 1000.0;
constexpr double kSlaneyLogStartMel = kSlaneyLogStartHz / kSlaneyLinearStep;
const double kSlaneyLogStep = std::log(6.4) / 27.0;

double hz_to_mel(double hz) {
    if (hz < kSlaneyLogStartHz) return hz / kSlaneyLinearStep;
    return kSlaneyLogStartMel + std::log(hz / kSlaneyLogStartHz) / kSlaneyLogStep;
}

double mel_to_hz(double mel) {
    if (mel < kSlaneyLogStartMel) return mel * kSlaneyLinearStep;
    return kSlaneyLogStartHz * std::exp(kSlaneyLogStep * (mel - kSlaneyLogStartMel));
}

// One mel band as a run of non-zero weights over consecutive FFT bins.
struct MelBand {
    std::size_t first_bin = 0;
    std::vector<float> weights;
};

// librosa.filters.mel(sr=16000, n_fft=1024, n_mels=128, fmin=0, fmax=8000,
// norm="slaney"), computed in double and rounded to float as librosa does.
std::vector<MelBand> build_mel_bands() {
    std::vector<double> band_edges_hz(kMelBands + 2);
    const double mel_min = hz_to_mel(kMelMinHz);
    const double mel_max = hz_to_mel(kMelMaxHz);
    for (std::size_t i = 0; i < band_edges_hz.size(); ++i) {
        const double mel = mel_min + (mel_max - mel_min) * static_cast<double>(i) /
                                         static_cast<double>(band_edges_hz.size() - 1);
        band_edges_hz[i] = mel_to_hz(mel);
    }

    std::vector<MelBand> bands(kMelBands);
    for (std::size_t band = 0; band < kMelBands; ++band) {
        const double lower = band_edges_hz[band];
        const double centre = band_edges_hz[band + 1];
        const double upper = band_edges_hz[band + 2];
        const double slaney_norm = 2.0 / (upper - lower);
        std::vector<float> dense(kSpectrumBins, 0.0f);
        for (std::size_t bin = 0; bin < kSpectrumBins; ++bin) {
            const double hz = static_cast<double>(bin) * (kFeatureSampleRate / 2.0) /
                              static_cast<double>(kSpectrumBins - 1);
            const double rising = (hz - lower) / (centre - lower);
            const double falling = (upper - hz) / (upper - centre);
            const double weight = std::max(0.0, std::min(rising, falling));
            dense[bin] = static_cast<float>(weight * slaney_norm);
        }
        const auto first = std::find_if(dense.begin(), dense.end(), [](float w) { return w != 0; });
        const auto last = std::find_if(dense.rbegin(), dense.rend(), [](float w) { return w != 0; }).base();
        if (first < last) {
            bands[band].first_bin = static_cast<std::size_t>(first - dense.begin());
            bands[band].weights.assign(first, last);
        }
    }
    return bands;
}

const std::vector<MelBand>& mel_bands() {
    static const std::vector<MelBand> bands = build_mel_bands();
    return bands;
}

// scipy.signal.get_window("hann", 640, fftbins=True): the periodic Hann window.
std::vector<float> periodic_hann(std::size_t length) {
    std::vector<float> window(length);
    for (std::size_t n = 0; n < length; ++n) {
        const double phase = 2.0 * std::numbers::pi * static_cast<double>(n) / static_cast<double>(length);
        window[n] = static_cast<float>(0.5 - 0.5 * std::cos(phase));
    }
    return window;
}

}  // namespace

// Owns KissFFT's real-FFT state and its scratch buffers.
class LogMelExtractor::Fft {
public:
    Fft() : config_(kiss_fftr_alloc(kFftSize, 0, nullptr, nullptr)), input_(kFftSize, 0.0f), output_(kSpectrumBins) {
        if (config_ == nullptr) throw std::bad_alloc();
    }
    ~Fft() { kiss_fftr_free(config_); }
    Fft(const Fft&) = delete;
    Fft& operator=(const Fft&) = delete;

    // Windowed frame in, power spectrum (|X|^2 per bin) out; the result lives
    // until the next call.
    const std::vector<float>& power_spectrum(const float* frame, const std::vector<float>& window) {
        for (std::size_t n = 0; n < window.size(); ++n) input_[n] = frame[n] * window[n];
        // Samples beyond the window stay zero: the 640-sample frame is zero-padded to 1024.
        kiss_fftr(config_, input_.data(), output_.data());
        for (std::size_t bin = 0; bin < kSpectrumBins; ++bin) {
            power_[bin] = output_[bin].r * output_[bin].r + output_[bin].i * output_[bin].i;
        }
        return power_;
    }

private:
    kiss_fftr_cfg config_;
    std::vector<float> input_;
    std::vector<kiss_fft_cpx> output_;
    std::vector<float> power_ = std::vector<float>(kSpectrumBins);
};

LogMelExtractor::LogMelExtractor() : fft_(std::make_unique<Fft>()), window_(periodic_hann(kWindowLength)) {}

LogMelExtractor::~LogMelExtractor() = default;

void LogMelExtractor::compute_frame(const float* frame_start) {
    const std::vector<float>& power = fft_->power_spectrum(frame_start, window_);
    const std::size_t first_band = pending_db_.size();
    const std::vector<MelBand>& bands = mel_bands();
    for (std::size_t b = 0; b < kMelBands; ++b) {
        const MelBand& band = bands[b];
        float energy = 0.0f;
        for (std::size_t k = 0; k < band.weights.size(); ++k) {
            energy += band.weights[k] * power[band.first_bin + k];
        }
        mel_energy_[b] = energy;
        pending_db_.push_back(10.0f * std::log10(std::max(kPowerFloor, energy)));
    }
    if (observer_) observer_(power, mel_energy_, std::span<const float>(pending_db_).subspan(first_band, kMelBands));
}

void LogMelExtractor::push(std::span<const float> samples) {
    samples_seen_ += samples.size();
    samples_.insert(samples_.end(), samples.begin(), samples.end());
    std::size_t start = 0;
    while (samples_.size() - start >= kWindowLength) {
        compute_frame(samples_.data() + start);
        start += kHopLength;
    }
    samples_.erase(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(start));
}

LogMel LogMelExtractor::take(std::size_t max_frames, TopDb top_db) {
    const std::size_t frames = std::min(max_frames, pending_frames());
    LogMel clip;
    clip.frames = frames;
    clip.values.resize(frames * kMelBands);
    const auto clip_end = pending_db_.begin() + static_cast<std::ptrdiff_t>(frames * kMelBands);
    const float clip_max = frames == 0 ? 0.0f : *std::max_element(pending_db_.begin(), clip_end);
    const float clip_floor =
        top_db == TopDb::own_clip ? clip_max - kTopDb : -std::numeric_limits<float>::infinity();
    // Transpose from frame-major (as computed) to band-major (as the model reads).
    for (std::size_t frame = 0; frame < frames; ++frame) {
        for (std::size_t band = 0; band < kMelBands; ++band) {
            clip.values[band * frames + frame] = std::max(pending_db_[frame * kMelBands + band], clip_floor);
        }
    }
    pending_db_.erase(pending_db_.begin(), clip_end);
    frames_taken_ += frames;
    return clip;
}

LogMel LogMelExtractor::finish(TopDb top_db) {
    if (frames_taken_ == 0 && pending_frames() == 0) {
        // Shorter than one window: VibeNet zero-pads the clip to one window.
        samples_.resize(kWindowLength, 0.0f);
        compute_frame(samples_.data());
    }
    samples_.clear();
    return take(pending_frames(), top_db);
}

float max_db(const LogMel& clip) {
    if (clip.values.empty()) return -std::numeric_limits<float>::infinity();
    return *std::max_element(clip.values.begin(), clip.values.end());
}

void apply_top_db(LogMel& clip, float reference) {
    const float floor = reference - kTopDb;
    for (float& value : clip.values) value = std::max(value, floor);
}

LogMel join_clips(std::span<const LogMel> clips) {
    LogMel joined;
    for (const LogMel& clip : clips) joined.frames += clip.frames;
    joined.values.resize(joined.frames * kMelBands);
    // Band-major: each band's row is the clips' rows for that band, one after another.
    std::size_t offset = 0;
    for (const LogMel& clip : clips) {
        for (std::size_t band = 0; band < kMelBands; ++band) {
            std::copy_n(clip.values.begin() + static_cast<std::ptrdiff_t>(band * clip.frames), clip.frames,
                        joined.values.begin() + static_cast<std::ptrdiff_t>(band * joined.frames + offset));
        }
        offset += clip.frames;
    }
    return joined;
}

LogMel compute_log_mel(std::span<const float> samples_16k) {
    LogMelExtractor extractor;
    extractor.push(samples_16k);
    return extractor.finish();
}

}  // namespace vibed::core
