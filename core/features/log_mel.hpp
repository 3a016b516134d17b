#pragma once
// VibeNet's log-mel front end, reproduced with KissFFT.
//
// 16 kHz mono in; 640-sample periodic Hann window, hop 320, zero-padded to a
// 1024-point real FFT, no centring; power spectrum through 128 Slaney-normalised
// mel bands between 0 and 8000 Hz; 10*log10 with a 1e-10 floor; finally every
// value is raised to at least (maximum - 80 dB) of the clip it belongs to.

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace vibed::core {

inline constexpr int kFeatureSampleRate = 16000;
inline constexpr int kMelBands = 128;
inline constexpr std::size_t kWindowLength = 640;
inline constexpr std::size_t kHopLength = 320;
inline constexpr std::size_t kFftSize = 1024;
inline constexpr std::size_t kSpectrumBins = kFftSize / 2 + 1;
inline constexpr float kTopDb = 80.0f;

// A finished log-mel matrix in the model's layout: kMelBands rows of `frames`
// values each (row-major, band-major), exactly like VibeNet's extract_mel.
struct LogMel {
    std::size_t frames = 0;
    std::vector<float> values;  // kMelBands * frames

    [[nodiscard]] float at(std::size_t band, std::size_t frame) const {
        return values[band * frames + frame];
    }
};

// Where a clip's top-dB floor comes from.
enum class TopDb {
    own_clip,  // the clip's own maximum, as VibeNet's extract_mel
    none,      // not applied: the caller floors the clip with apply_top_db() against a reference of its own
};

// The clip's largest value in dB (-infinity for an empty clip).
[[nodiscard]] float max_db(const LogMel& clip);

// Raises every value of `clip` to at least reference - kTopDb.
void apply_top_db(LogMel& clip, float reference);

// The frames of `clips`, one clip after another, as one clip.
[[nodiscard]] LogMel join_clips(std::span<const LogMel> clips);

// Consumes samples block by block and produces log-mel frames without ever
// holding the whole signal. Frames are kept (as dB, frame-major) until taken.
class LogMelExtractor {
public:
    LogMelExtractor();
    ~LogMelExtractor();
    LogMelExtractor(const LogMelExtractor&) = delete;
    LogMelExtractor& operator=(const LogMelExtractor&) = delete;

    // Called for every frame computed, in order, with its power spectrum
    // (kSpectrumBins values, |X|^2 of the windowed, zero-padded frame), its
    // kMelBands mel energies and the same in dB (before the top-dB floor): the
    // musical features reuse the front end's FFT instead of computing their own.
    using SpectrumObserver = std::function<void(std::span<const float> power, std::span<const float> mel_energy,
                                                std::span<const float> mel_db)>;
    void observe_spectra(SpectrumObserver observer) { observer_ = std::move(observer); }

    void push(std::span<const float> samples);

    // Frames computed and not yet taken.
    [[nodiscard]] std::size_t pending_frames() const { return pending_db_.size() / kMelBands; }

    // Takes the first `max_frames` pending frames as one clip (by default
    // top-dB applied relative to that clip's own maximum).
    LogMel take(std::size_t max_frames, TopDb top_db = TopDb::own_clip);

    // Ends the signal and returns every remaining frame as one clip. A signal
    // shorter than one window is zero-padded to one window, as VibeNet does;
    // so is an empty one when nothing at all was taken before.
    LogMel finish(TopDb top_db = TopDb::own_clip);

private:
    void compute_frame(const float* frame_start);

    class Fft;
    std::unique_ptr<Fft> fft_;
    SpectrumObserver observer_;
    std::vector<float> mel_energy_ = std::vector<float>(kMelBands);  // the last frame's, for the observer
    std::vector<float> window_;
    std::vector<float> samples_;      // not yet consumed by a whole frame
    std::vector<float> pending_db_;   // frame-major dB values
    std::size_t frames_taken_ = 0;
    std::size_t samples_seen_ = 0;
};

// Convenience for whole clips held in memory (tests, small tools).
LogMel compute_log_mel(std::span<const float> samples_16k);

}  // namespace vibed::core
