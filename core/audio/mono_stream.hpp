#pragma once
// The model's view of an audio file: mono float samples at 16 kHz, produced
// block by block so that even a 3-hour mix needs only a few hundred kilobytes.
//
// Matches VibeNet's loader: channels are averaged (plain mean), then resampled
// with soxr at python-soxr's "HQ" quality (see resampler.hpp). A source already
// at the target rate passes through untouched.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/audio/audio_decoder.hpp"
#include "core/audio/resampler.hpp"

namespace vibed::core {

class MonoStream {
public:
    // Opens the file with open_audio(). Throws AudioError.
    explicit MonoStream(const std::filesystem::path& path, int target_rate = 16000);
    // Streams from any decoder; `path` only names the source in errors.
    // Throws AudioError when the decoder's format is unusable.
    MonoStream(std::unique_ptr<AudioDecoder> decoder, const std::filesystem::path& path, int target_rate = 16000);

    [[nodiscard]] const AudioFormat& source_format() const { return decoder_->format(); }

    // Called with every decoded block as the decoder produced it (interleaved,
    // source_format()'s channels and rate), before downmixing: measurements
    // that must see the original channels (EBU R128 loudness) ride on the one
    // decoding pass instead of decoding the file a second time.
    using DecodedBlockObserver = std::function<void(std::span<const float> interleaved)>;
    void observe_decoded_blocks(DecodedBlockObserver observer) { observer_ = std::move(observer); }
    [[nodiscard]] int target_rate() const { return target_rate_; }

    // Fills `out` with up to out.size() mono samples at the target rate and
    // returns how many; returns less than out.size() only at the end, and 0
    // once everything (including the resampler's tail) has been returned.
    // Throws AudioError.
    std::size_t read(std::span<float> out);

private:
    // Decodes and downmixes the next block into source_block_; false at the end.
    bool decode_block();
    // Move pending source samples into `out` (resampled or as they are) and
    // return how many were written; set finished_ at the very end.
    std::size_t resample_into(std::span<float> out);
    std::size_t copy_into(std::span<float> out);

    std::filesystem::path path_;
    std::unique_ptr<AudioDecoder> decoder_;
    int target_rate_;
    DecodedBlockObserver observer_;
    std::optional<Resampler> resampler_;  // absent when no rate change is needed
    std::vector<float> interleaved_;      // one decoded block
    std::vector<float> source_block_;     // the same block downmixed, at the source rate
    std::size_t source_offset_ = 0;       // first sample of source_block_ not yet consumed
    bool decoder_finished_ = false;
    bool finished_ = false;
};

}  // namespace vibed::core
