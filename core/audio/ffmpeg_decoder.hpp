#pragma once
// Everything libmpg123 and libsndfile do not read, above all M4A/MP4 with AAC
// or ALAC, through FFmpeg's libavformat/libavcodec, converted to interleaved
// float by libswresample (no rate change: MonoStream resamples).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/audio/audio_decoder.hpp"
#include "core/audio/source_file.hpp"

struct AVIOContext;
struct AVFormatContext;
struct AVCodecContext;
struct SwrContext;
struct AVPacket;
struct AVFrame;

namespace vibed::core {

class FfmpegDecoder final : public AudioDecoder {
public:
    // Opens the best audio stream of the file. Throws AudioError.
    explicit FfmpegDecoder(std::unique_ptr<SourceFile> source);
    ~FfmpegDecoder() override;
    FfmpegDecoder(FfmpegDecoder&&) noexcept = default;
    FfmpegDecoder& operator=(FfmpegDecoder&&) noexcept = default;

    [[nodiscard]] const AudioFormat& format() const override { return format_; }
    std::size_t read(float* interleaved, std::size_t max_frames) override;

private:
    struct Deleter {
        void operator()(AVIOContext* io) const noexcept;
        void operator()(AVFormatContext* container) const noexcept;
        void operator()(AVCodecContext* codec) const noexcept;
        void operator()(SwrContext* converter) const noexcept;
        void operator()(AVPacket* packet) const noexcept;
        void operator()(AVFrame* frame) const noexcept;
    };
    template <typename T>
    using Owned = std::unique_ptr<T, Deleter>;

    void open_container();
    void open_codec();
    // Decodes the next frame into pending_; false once the stream has ended.
    bool decode_next_frame();
    // Sends the next packet of our stream to the decoder, or the end-of-stream
    // marker after the last one.
    void feed_decoder();
    void convert_frame();
    // A converter from `frame`'s rate, layout and sample format to format_.
    // For the first frame, in the stream's layout, a plain format change;
    // other frames (a later link of a chained stream) are resampled to
    // format_'s rate, and every output channel gets the mean of the frame's
    // channels (MonoStream then averages to exactly that mean).
    void build_converter(AVFrame& frame);  // non-const: swr_alloc_set_opts2() takes mutable layouts
    // Appends what the converter still holds (resampling delay) to pending_.
    void drain_converter();
    void append_converted(const uint8_t** input, int input_samples);
    [[noreturn]] void fail(const std::string& what, int av_error) const;
    // For reasons FFmpeg's own error text would only blur ("Input/output error").
    [[noreturn]] void fail_plainly(const std::string& reason) const;

    // Declaration order is destruction order in reverse: the container must
    // close before the I/O context it reads through.
    std::unique_ptr<SourceFile> source_;
    Owned<AVIOContext> io_;
    Owned<AVFormatContext> container_;
    Owned<AVCodecContext> codec_;
    Owned<SwrContext> converter_;
    Owned<AVPacket> packet_;
    Owned<AVFrame> frame_;
    int stream_index_ = -1;
    int converter_input_format_ = -1;  // the AVSampleFormat converter_ was built for
    int converter_input_rate_ = 0;
    int converter_input_channels_ = 0;
    bool resampling_ = false;  // converter_ changes the rate: it holds samples back
    bool decoder_drained_ = false;
    bool sent_packet_ = false;  // the decoder has had audio: a later demuxing failure ends the stream
    std::vector<float> pending_;  // converted samples not yet returned
    std::size_t pending_offset_ = 0;
    AudioFormat format_;
};

}  // namespace vibed::core
