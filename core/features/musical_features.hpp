#pragma once
// Interpretable musical descriptors of one track (plain data), measured in the
// same decoding pass as the model's input. Unlike VibeNet's seven attributes
// these are measurements a musician would recognise: tempo, loudness, key and
// a few cheap timbre and rhythm cues. They feed the mood model
// (core/model/mood_model.hpp) and the query language.
//
// Every field has a documented value for audio where it cannot be measured
// (silence, noise, a track with no beat): never NaN.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vibed::core {

enum class Mode { unknown, major, minor };

// Stored with every track's features. Bump it whenever the extractor's output
// changes (a new algorithm, a fixed bug): the index then re-analyses every
// track, as it does for a new attribute model.
inline constexpr int kFeatureExtractorVersion = 1;

struct MusicalFeatures {
    // Tempo in beats per minute, 40..240; 0 when no steady beat was found
    // (under 4 s of audio, under 0.3 onsets per second, or no periodicity
    // beyond chance in the onset envelope).
    double bpm = 0;
    // How sure the tempo estimate is, 0 (no beat) to 1 (a metronome): how far
    // the onset envelope's autocorrelation at the beat stands above its mean
    // over 40..240 BPM. 0 whenever bpm is 0.
    double bpm_confidence = 0;
    // EBU R128 integrated loudness in LUFS of the original channels at the
    // original rate (as FFmpeg's ebur128 filter, within 0.01 LU); -70 (the
    // absolute gate) for silence and files under 0.4 s.
    double loudness = -70;
    // EBU R128 loudness range in LU (how much the loudness moves, EBU Tech
    // 3342 as FFmpeg computes it); 0 for silence and files under 3 s.
    double loudness_range = 0;
    // Tonic pitch class, 0 = C .. 11 = B; -1 when no key could be found.
    int key = -1;
    Mode mode = Mode::unknown;
    // Correlation (Pearson) of the track's chroma with its key's profile
    // (Temperley's Kostka-Payne profiles), 0..1; 0 when the key is unknown.
    double key_strength = 0;
    // Best major-key correlation minus best minor-key correlation, -1..1:
    // above 0 the harmony leans major, below 0 minor. A continuous cue where
    // `mode` is a hard choice. 0 when the key is unknown.
    double majorness = 0;
    // Note onsets per second (articulation density): peaks of the spectral
    // flux over the whole duration; 0 for silence.
    double onset_rate = 0;
    // How evenly spaced the onsets are around the beat, 0 (free) to 1 (strict
    // grid): the onset envelope's mean autocorrelation at 1-4 beat periods.
    // Measured even when bpm is 0 (then it is low); 0 for silence.
    double beat_regularity = 0;
    // Spectral centroid in Hz of the 16 kHz stream (0..8000; dark < ~1500 <
    // bright), mean over audible frames; 0 for silence.
    double brightness = 0;
    // Spectral flatness over the mel bands from 400 Hz to 7.3 kHz, 0 (pure
    // tones) to 1 (a perfectly flat spectrum); white noise reads ~0.77, music
    // 0.05-0.45; 0 for silence. Above 0.6 the key is unknown.
    double noisiness = 0;
    // How fast the harmony moves: mean cosine distance between the chroma of
    // consecutive tonal seconds, 0 (still) to 1; 0 when fewer than two.
    double harmonic_change = 0;
};

// The numeric fields by name, in one fixed order: for tables, CSV columns, the
// index schema and the mood model's inputs. `key` and `mode` appear as numbers
// here (key index, mode 0/1/2); key_name() gives the text.
inline constexpr std::size_t kFeatureCount = 13;
inline constexpr std::array<std::string_view, kFeatureCount> kFeatureNames = {
    "bpm",       "bpm_confidence", "loudness",   "loudness_range",  "key",
    "mode",      "key_strength",   "majorness",  "onset_rate",      "beat_regularity",
    "brightness", "noisiness",     "harmonic_change",
};

[[nodiscard]] double feature_value(const MusicalFeatures& features, std::size_t index);
void set_feature_value(MusicalFeatures& features, std::size_t index, double value);
std::optional<std::size_t> feature_index(std::string_view name);

// "A minor", "C# major"; "" when the key is unknown.
std::string key_name(int key, Mode mode);
// Parses key_name()'s output (also "Am", "a minor", "Bb major", flats as
// sharps); nullopt when it is not a key.
std::optional<std::pair<int, Mode>> parse_key_name(std::string_view text);
std::string_view to_string(Mode mode);  // "major", "minor", ""

}  // namespace vibed::core
