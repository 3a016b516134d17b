#include "core/audio/resampler.hpp"

#include <soxr.h>

#include <string>

#include "core/audio/audio_decoder.hpp"

namespace vibed::core {

void Resampler::Deleter::operator()(soxr* resampler) const noexcept { soxr_delete(resampler); }

Resampler::Resampler(const std::filesystem::path& source, double input_rate, double output_rate)
    : source_(source) {
    soxr_error_t error = nullptr;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
    soxr_.reset(soxr_create(input_rate, output_rate, 1, &error, &io, &quality, nullptr));
    if (error != nullptr) throw AudioError(source_, std::string("cannot create the resampler: ") + error);
}

Resampler::Progress Resampler::process(std::span<const float> input, std::span<float> output) {
    // soxr reads a null input as "end of signal", which an empty span may be.
    if (input.empty()) return {};
    Progress progress;
    const soxr_error_t error = soxr_process(soxr_.get(), input.data(), input.size(), &progress.consumed,
                                            output.data(), output.size(), &progress.produced);
    if (error != nullptr) throw AudioError(source_, std::string("resampling failed: ") + error);
    return progress;
}

std::size_t Resampler::flush(std::span<float> output) {
    // A null input tells soxr the signal has ended.
    std::size_t produced = 0;
    const soxr_error_t error =
        soxr_process(soxr_.get(), nullptr, 0, nullptr, output.data(), output.size(), &produced);
    if (error != nullptr) throw AudioError(source_, std::string("resampling failed: ") + error);
    return produced;
}

}  // namespace vibed::core
