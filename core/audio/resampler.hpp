#pragma once
// Streaming mono sample-rate conversion with libsoxr, set up exactly as
// python-soxr's soxr.resample() (which VibeNet calls) sets it up: float32
// in and out, quality recipe SOXR_HQ with no extra flags. Feeding the signal
// in blocks of any size gives the same samples as one-shot resampling.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>

struct soxr;

namespace vibed::core {

class Resampler {
public:
    // `source` only names the file in error messages. Throws AudioError.
    Resampler(const std::filesystem::path& source, double input_rate, double output_rate);

    struct Progress {
        std::size_t consumed = 0;  // input samples used
        std::size_t produced = 0;  // output samples written
    };
    // Resamples as much of `input` as fits into `output` (nothing when input
    // is empty: the end of the signal is flush()'s job). Throws AudioError.
    Progress process(std::span<const float> input, std::span<float> output);
    // After the last input: writes the remaining tail, 0 once all is out.
    // Throws AudioError.
    std::size_t flush(std::span<float> output);

private:
    struct Deleter {
        void operator()(soxr* resampler) const noexcept;
    };

    std::filesystem::path source_;
    std::unique_ptr<soxr, Deleter> soxr_;
};

}  // namespace vibed::core
