#pragma once
// MPEG audio (MP3, MP2, MP1) through libmpg123, configured the way
// libsndfile's MPEG decoder configures it, so MP3s decode exactly as
// VibeNet's soundfile.read() path decodes them.

#include <memory>

#include "core/audio/audio_decoder.hpp"
#include "core/audio/source_file.hpp"

struct mpg123_handle_struct;

namespace vibed::core {

class Mpg123Decoder final : public AudioDecoder {
public:
    // Throws AudioError (e.g. "x.mp3: not an MPEG audio stream (...)").
    explicit Mpg123Decoder(std::unique_ptr<SourceFile> source);
    ~Mpg123Decoder() override;
    Mpg123Decoder(Mpg123Decoder&&) noexcept = default;
    Mpg123Decoder& operator=(Mpg123Decoder&&) noexcept = default;

    [[nodiscard]] const AudioFormat& format() const override { return format_; }
    std::size_t read(float* interleaved, std::size_t max_frames) override;
    bool seek(std::int64_t frame) override;

private:
    struct HandleDeleter {
        void operator()(mpg123_handle_struct* handle) const noexcept;
    };

    [[noreturn]] void fail(const std::string& what) const;

    std::unique_ptr<SourceFile> source_;
    std::unique_ptr<mpg123_handle_struct, HandleDeleter> handle_;
    AudioFormat format_;
    bool delivered_audio_ = false;  // some samples came out: a later unsyncable run ends the stream
    bool ended_ = false;  // at a joined part in another format
};

}  // namespace vibed::core
