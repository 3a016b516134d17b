#include "core/audio/mono_stream.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace vibed::core {
namespace {

// Frames decoded per step: large enough to keep call overhead low, small
// enough that memory stays bounded (8 channels: 128 KiB).
constexpr std::size_t kBlockFrames = 4096;

// The mean of all channels, computed as numpy's y.mean(axis=1) on float32
// does for VibeNet: sum in float, then divide by the channel count.
void downmix(std::span<const float> interleaved, std::size_t channels, std::vector<float>& mono) {
    const std::size_t frames = interleaved.size() / channels;
    mono.resize(frames);
    const auto divisor = static_cast<float>(channels);
    for (std::size_t frame = 0; frame < frames; ++frame) {
        float sum = 0.0F;
        for (std::size_t channel = 0; channel < channels; ++channel) sum += interleaved[frame * channels + channel];
        mono[frame] = sum / divisor;
    }
}

}  // namespace

MonoStream::MonoStream(const std::filesystem::path& path, int target_rate)
    : MonoStream(open_audio(path), path, target_rate) {}

MonoStream::MonoStream(std::unique_ptr<AudioDecoder> decoder, const std::filesystem::path& path, int target_rate)
    : path_(path), decoder_(std::move(decoder)), target_rate_(target_rate) {
    const AudioFormat& format = decoder_->format();
    if (target_rate_ <= 0) throw AudioError(path_, "invalid target sample rate " + std::to_string(target_rate_));
    if (format.sample_rate <= 0) throw AudioError(path_, "invalid sample rate " + std::to_string(format.sample_rate));
    if (format.channels <= 0) throw AudioError(path_, "no audio channels");
    if (format.sample_rate != target_rate_) resampler_.emplace(path_, format.sample_rate, target_rate_);
    interleaved_.resize(kBlockFrames * static_cast<std::size_t>(format.channels));
    source_block_.reserve(kBlockFrames);
}

std::size_t MonoStream::read(std::span<float> out) {
    std::size_t filled = 0;
    while (filled < out.size() && !finished_) {
        if (source_offset_ == source_block_.size() && !decoder_finished_) {
            decoder_finished_ = !decode_block();
            continue;
        }
        filled += resampler_ ? resample_into(out.subspan(filled)) : copy_into(out.subspan(filled));
    }
    return filled;
}

bool MonoStream::decode_block() {
    const auto channels = static_cast<std::size_t>(decoder_->format().channels);
    const std::size_t frames = decoder_->read(interleaved_.data(), kBlockFrames);
    if (frames == 0) return false;
    if (observer_) observer_(std::span<const float>(interleaved_.data(), frames * channels));
    downmix(std::span(interleaved_).first(frames * channels), channels, source_block_);
    source_offset_ = 0;
    return true;
}

std::size_t MonoStream::resample_into(std::span<float> out) {
    if (source_offset_ < source_block_.size()) {
        const auto progress = resampler_->process(std::span(source_block_).subspan(source_offset_), out);
        source_offset_ += progress.consumed;
        return progress.produced;
    }
    const std::size_t produced = resampler_->flush(out);  // the decoder has finished
    finished_ = produced == 0;
    return produced;
}

std::size_t MonoStream::copy_into(std::span<float> out) {
    const std::size_t count = std::min(out.size(), source_block_.size() - source_offset_);
    finished_ = count == 0;  // the decoder has finished
    std::copy_n(source_block_.begin() + static_cast<std::ptrdiff_t>(source_offset_), count, out.begin());
    source_offset_ += count;
    return count;
}

}  // namespace vibed::core
