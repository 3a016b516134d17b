#pragma once
// WAV, AIFF, FLAC, Ogg Vorbis, Opus and CAF through libsndfile, the library
// VibeNet reads audio with.

#include <memory>

#include "core/audio/audio_decoder.hpp"
#include "core/audio/source_file.hpp"

struct sf_private_tag;

namespace vibed::core {

class SndfileDecoder final : public AudioDecoder {
public:
    // Throws AudioError.
    explicit SndfileDecoder(std::unique_ptr<SourceFile> source);
    ~SndfileDecoder() override;
    SndfileDecoder(SndfileDecoder&&) noexcept = default;
    SndfileDecoder& operator=(SndfileDecoder&&) noexcept = default;

    [[nodiscard]] const AudioFormat& format() const override { return format_; }
    std::size_t read(float* interleaved, std::size_t max_frames) override;
    bool seek(std::int64_t frame) override;

private:
    struct SndfileCloser {
        void operator()(sf_private_tag* file) const noexcept;
    };

    std::unique_ptr<SourceFile> source_;
    std::unique_ptr<sf_private_tag, SndfileCloser> file_;
    AudioFormat format_;
    bool decoded_any_ = false;
};

}  // namespace vibed::core
