#include "core/features/feature_extractor.hpp"

#include <algorithm>
#include <cmath>

#include "core/audio/mono_stream.hpp"
#include "core/features/log_mel.hpp"

namespace vibed::core {
namespace {

constexpr double kFramesPerSecond = static_cast<double>(kFeatureSampleRate) / kHopLength;
constexpr double kBinHz = static_cast<double>(kFeatureSampleRate) / kFftSize;
constexpr std::size_t kChromaFrameStep = 2;
constexpr std::size_t kTimbreFrameStep = 4;
// Mel energies below this (dB) count as this for the onset envelope, so that
// the noise floor of a quiet passage or an encoder's dither makes no onsets.
// White noise at -60 dBFS reads about -48 dB in a band.
constexpr float kOnsetFloorDb = -55.0f;
// A frame is audible (counted for brightness and noisiness) above about
// -60 dBFS: sum of its one-sided power spectrum for a full-scale RMS of 1 is
// about (kFftSize / 2) * sum(window^2) = 512 * 240.
constexpr double kAudibleFramePower = 512.0 * 240.0 * 1e-6;
// Flatness is measured where the 16 kHz stream has content: from the first
// mel bands wide enough to average several FFT bins (~300 Hz) to below the
// resampler's roll-off near 8 kHz (~7.3 kHz).
constexpr std::size_t kFlatnessFirstBand = 16;
constexpr std::size_t kFlatnessEndBand = 124;

// Audio this flat (spectral flatness, white noise ~0.77, music 0.05-0.45) has
// no key, whatever its chroma: the chroma of noise is nearly flat, but not
// flatter than that of some real music.
constexpr double kNoiseFlatness = 0.6;

double finite_or(double value, double unknown) { return std::isfinite(value) ? value : unknown; }

}  // namespace

MusicalFeatureExtractor::MusicalFeatureExtractor(const AudioFormat& source)
    : loudness_(source.channels, source.sample_rate), tempo_(kFramesPerSecond),
      key_(kBinHz, kFramesPerSecond / kChromaFrameStep), previous_mel_db_(kMelBands, kOnsetFloorDb) {}

void MusicalFeatureExtractor::attach(MonoStream& stream, LogMelExtractor& front_end) {
    stream.observe_decoded_blocks([this](std::span<const float> interleaved) { add_decoded(interleaved); });
    front_end.observe_spectra([this](std::span<const float> power, std::span<const float> mel_energy,
                                     std::span<const float> mel_db) { add_spectrum(power, mel_energy, mel_db); });
}

void MusicalFeatureExtractor::add_decoded(std::span<const float> interleaved) { loudness_.add(interleaved); }

void MusicalFeatureExtractor::add_spectrum(std::span<const float> power, std::span<const float> mel_energy,
                                           std::span<const float> mel_db) {
    // Onset strength: the mean rise in dB over the mel bands (spectral flux, as librosa's onset_strength).
    double rise = 0;
    for (std::size_t band = 0; band < kMelBands; ++band) {
        const float db = std::max(mel_db[band], kOnsetFloorDb);
        rise += std::max(0.0f, db - previous_mel_db_[band]);
        previous_mel_db_[band] = db;
    }
    tempo_.push(have_previous_frame_ ? static_cast<float>(rise / kMelBands) : 0.0f);
    have_previous_frame_ = true;

    // Key and timbre are whole-track summaries: every 2nd frame (chroma) and
    // every 4th frame (centroid, flatness) measure them as well as every frame
    // would, for a half and a quarter of the cost.
    const std::size_t frame = frames_++;
    if (frame % kChromaFrameStep == 0) key_.push(power);
    if (frame % kTimbreFrameStep != 0) return;

    float total = 0;
    for (const float p : power) total += p;
    if (total < kAudibleFramePower) return;
    ++audible_frames_;
    float weighted = 0;
    float amplitude_sum = 0;
    for (std::size_t bin = 1; bin < power.size(); ++bin) {
        const float amplitude = std::sqrt(power[bin]);
        weighted += amplitude * static_cast<float>(bin);
        amplitude_sum += amplitude;
    }
    weighted *= static_cast<float>(kBinHz);
    if (amplitude_sum > 0) centroid_sum_ += weighted / amplitude_sum;
    // Flatness over the mel bands (their logs are already computed): geometric
    // over arithmetic mean. Slaney-normalised bands hold equal energy for white
    // noise, so noise reads near 1 and a few tones near 0.
    double db_sum = 0;
    double linear_sum = 0;
    for (std::size_t band = kFlatnessFirstBand; band < kFlatnessEndBand; ++band) {
        db_sum += mel_db[band];
        linear_sum += mel_energy[band];
    }
    const auto bands = static_cast<double>(kFlatnessEndBand - kFlatnessFirstBand);
    if (linear_sum > 0) flatness_sum_ += std::min(1.0, std::pow(10.0, db_sum / bands / 10) / (linear_sum / bands));
}

MusicalFeatures MusicalFeatureExtractor::finish() const {
    const MusicalFeatures unknown;
    MusicalFeatures features;
    const Loudness loudness = loudness_.result();
    features.loudness = finite_or(loudness.integrated_lufs, unknown.loudness);
    features.loudness_range = finite_or(loudness.range_lu, unknown.loudness_range);

    const TempoEstimate tempo = tempo_.finish();
    features.bpm = finite_or(tempo.bpm, unknown.bpm);
    features.bpm_confidence = features.bpm > 0 ? finite_or(tempo.confidence, 0) : 0;
    features.beat_regularity = finite_or(tempo.beat_regularity, unknown.beat_regularity);
    features.onset_rate = finite_or(tempo.onset_rate, unknown.onset_rate);

    if (audible_frames_ > 0) {
        const auto frames = static_cast<double>(audible_frames_);
        features.brightness = finite_or(centroid_sum_ / frames, unknown.brightness);
        features.noisiness = finite_or(flatness_sum_ / frames, unknown.noisiness);
    }

    const KeyEstimate key = key_.finish();
    if (key.key >= 0 && std::isfinite(key.key_strength) && std::isfinite(key.majorness) &&
        features.noisiness < kNoiseFlatness) {
        features.key = key.key;
        features.mode = key.mode;
        features.key_strength = key.key_strength;
        features.majorness = key.majorness;
    }
    features.harmonic_change = finite_or(key.harmonic_change, unknown.harmonic_change);
    return features;
}

}  // namespace vibed::core
