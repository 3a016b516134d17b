#pragma once
// Fills MusicalFeatures while a track streams through the analysis, from what
// the pipeline computes anyway: the decoder's original blocks (loudness) and
// the log-mel front end's spectra (tempo, key, timbre). Nothing is decoded or
// transformed a second time; memory is constant whatever the track's length.

#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

#include "core/audio/audio_decoder.hpp"
#include "core/features/key_estimator.hpp"
#include "core/features/loudness_meter.hpp"
#include "core/features/musical_features.hpp"
#include "core/features/tempo_estimator.hpp"

namespace vibed::core {

class MonoStream;
class LogMelExtractor;

class MusicalFeatureExtractor {
public:
    // `source`: the decoder's format (channels, rate) for the loudness meter.
    // Throws std::runtime_error (the caller names the file).
    explicit MusicalFeatureExtractor(const AudioFormat& source);

    // Registers itself as the observer of both; they must outlive this object's use.
    void attach(MonoStream& stream, LogMelExtractor& front_end);

    // Interleaved blocks at the source's channels and rate.
    void add_decoded(std::span<const float> interleaved);
    // One front-end frame: power spectrum (kSpectrumBins), mel energies, and the same in dB.
    void add_spectrum(std::span<const float> power, std::span<const float> mel_energy, std::span<const float> mel_db);

    // Every field finite, with its documented unknown value where it cannot be measured.
    [[nodiscard]] MusicalFeatures finish() const;

private:
    LoudnessMeter loudness_;
    TempoEstimator tempo_;
    KeyEstimator key_;
    std::vector<float> previous_mel_db_;
    bool have_previous_frame_ = false;
    std::size_t frames_ = 0;
    double centroid_sum_ = 0;
    double flatness_sum_ = 0;
    std::size_t audible_frames_ = 0;
};

}  // namespace vibed::core
