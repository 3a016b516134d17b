#include "core/audio/ffmpeg_decoder.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
#include <libswresample/swresample.h>
}

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace vibed::core {
namespace {

// Demuxers for audio containers only. Anything else (playlists such as HLS
// or concat that would open other files, images, video) is refused.
constexpr const char* kAudioDemuxers =
    "mov,matroska,ogg,flac,wav,w64,aiff,mp3,aac,loas,asf,ape,wv,caf,au,tta,dsf,tak,mpc,mpc8,shn,amr,"
    "ac3,eac3,dts,truehd,mlp";
constexpr int kIoBufferBytes = 64 * 1024;

// FFmpeg logs to stderr by default; the daemon must stay quiet, and errors
// reach the user through AudioError instead.
void silence_ffmpeg_once() {
    static const bool silenced = [] {
        av_log_set_level(AV_LOG_QUIET);
        return true;
    }();
    (void)silenced;
}

std::string av_error_text(int av_error) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(av_error, text, sizeof text);
    return text;
}

int read_source(void* source, uint8_t* buffer, int size) noexcept {
    const std::int64_t got =
        static_cast<SourceFile*>(source)->read({reinterpret_cast<std::byte*>(buffer), static_cast<std::size_t>(size)});
    if (got < 0) return AVERROR(EIO);
    return got == 0 ? AVERROR_EOF : static_cast<int>(got);
}

int64_t seek_source(void* source, int64_t offset, int whence) noexcept {
    auto* file = static_cast<SourceFile*>(source);
    if (whence & AVSEEK_SIZE) return file->size();
    return file->seek(offset, whence & ~AVSEEK_FORCE);
}

std::uint64_t read_be(const std::byte* bytes, int width) {
    std::uint64_t value = 0;
    for (int i = 0; i < width; ++i) value = value << 8 | std::to_integer<std::uint64_t>(bytes[i]);
    return value;
}

// Why an MP4/M4A that FFmpeg cannot open has no index, when that is why:
// the `moov` atom (sample tables, codec) is missing. Encoders write it last
// unless asked otherwise, so a cut copy or an unfinished download loses it
// and no sample can be located. "" when the file has a moov or is no MP4.
std::string missing_mp4_index(SourceFile& source) {
    std::int64_t at = 0;
    bool is_mp4 = false;
    while (at + 8 <= source.size()) {
        std::array<std::byte, 16> header{};
        if (source.read_at(at, header) < 8) return "";
        const std::string type(reinterpret_cast<const char*>(header.data()) + 4, 4);
        if (at == 0 && type != "ftyp") return "";
        is_mp4 = true;
        if (type == "moov") return "";
        std::uint64_t size = read_be(header.data(), 4);
        if (size == 1) size = read_be(header.data() + 8, 8);  // a 64-bit size follows the type
        if (size == 0 || at + static_cast<std::int64_t>(size) > source.size()) {
            return "an MP4 file cut short: its '" + type + "' atom runs past the end (" + std::to_string(source.size()) +
                   " bytes) and its index (the moov atom) is missing, so no audio can be located";
        }
        if (size < 8) break;
        at += static_cast<std::int64_t>(size);
    }
    return is_mp4 ? "an MP4 file without its index (no moov atom), so no audio can be located" : "";
}

}  // namespace

void FfmpegDecoder::Deleter::operator()(AVIOContext* io) const noexcept {
    av_freep(&io->buffer);  // the buffer may have been reallocated by FFmpeg
    avio_context_free(&io);
}
void FfmpegDecoder::Deleter::operator()(AVFormatContext* container) const noexcept {
    avformat_close_input(&container);
}
void FfmpegDecoder::Deleter::operator()(AVCodecContext* codec) const noexcept { avcodec_free_context(&codec); }
void FfmpegDecoder::Deleter::operator()(SwrContext* converter) const noexcept { swr_free(&converter); }
void FfmpegDecoder::Deleter::operator()(AVPacket* packet) const noexcept { av_packet_free(&packet); }
void FfmpegDecoder::Deleter::operator()(AVFrame* frame) const noexcept { av_frame_free(&frame); }

FfmpegDecoder::FfmpegDecoder(std::unique_ptr<SourceFile> source) : source_(std::move(source)) {
    silence_ffmpeg_once();
    open_container();
    open_codec();
    packet_.reset(av_packet_alloc());
    frame_.reset(av_frame_alloc());
    if (!packet_ || !frame_) fail("cannot allocate decoder buffers", AVERROR(ENOMEM));
}

FfmpegDecoder::~FfmpegDecoder() = default;

void FfmpegDecoder::open_container() {
    auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferBytes));
    if (buffer == nullptr) fail("cannot allocate an I/O buffer", AVERROR(ENOMEM));
    io_.reset(avio_alloc_context(buffer, kIoBufferBytes, 0, source_.get(), read_source, nullptr, seek_source));
    if (!io_) {
        av_free(buffer);
        fail("cannot allocate an I/O context", AVERROR(ENOMEM));
    }

    AVFormatContext* container = avformat_alloc_context();
    if (container == nullptr) fail("cannot allocate a demuxer", AVERROR(ENOMEM));
    container->pb = io_.get();
    container->flags |= AVFMT_FLAG_CUSTOM_IO;
    AVDictionary* options = nullptr;
    av_dict_set(&options, "format_whitelist", kAudioDemuxers, 0);
    // On failure avformat_open_input() frees the context itself.
    const int opened = avformat_open_input(&container, nullptr, nullptr, &options);
    av_dict_free(&options);
    if (opened < 0) {
        if (const std::string reason = missing_mp4_index(*source_); !reason.empty())
            throw AudioError(source_->path(), reason);
        fail("not a recognised audio file", opened);
    }
    container_.reset(container);

    if (const int found = avformat_find_stream_info(container, nullptr); found < 0)
        fail("cannot read stream information", found);
}

void FfmpegDecoder::open_codec() {
    const AVCodec* codec = nullptr;
    stream_index_ = av_find_best_stream(container_.get(), AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (stream_index_ == AVERROR_STREAM_NOT_FOUND) fail("no audio stream", stream_index_);
    if (stream_index_ < 0) fail("no decoder for the audio stream", stream_index_);
    const AVStream* stream = container_->streams[stream_index_];

    codec_.reset(avcodec_alloc_context3(codec));
    if (!codec_) fail("cannot allocate a decoder", AVERROR(ENOMEM));
    if (const int copied = avcodec_parameters_to_context(codec_.get(), stream->codecpar); copied < 0)
        fail("bad codec parameters", copied);
    codec_->pkt_timebase = stream->time_base;
    codec_->thread_count = 1;  // files are decoded in parallel, one thread each
    if (const int opened = avcodec_open2(codec_.get(), codec, nullptr); opened < 0)
        fail(std::string("cannot open the ") + codec->name + " decoder", opened);

    format_.sample_rate = codec_->sample_rate;
    format_.channels = codec_->ch_layout.nb_channels;
    format_.codec = avcodec_get_name(stream->codecpar->codec_id);
    format_.decoder = "ffmpeg";
    if (format_.sample_rate <= 0 || format_.channels <= 0)
        fail("the " + format_.codec + " stream has no usable sample rate or channel count", AVERROR_INVALIDDATA);
    if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0)
        format_.frames = av_rescale_q(stream->duration, stream->time_base, AVRational{1, format_.sample_rate});
}

std::size_t FfmpegDecoder::read(float* interleaved, std::size_t max_frames) {
    const auto channels = static_cast<std::size_t>(format_.channels);
    std::size_t frames_done = 0;
    while (frames_done < max_frames) {
        if (pending_offset_ == pending_.size() && !decode_next_frame()) break;
        const std::size_t available = (pending_.size() - pending_offset_) / channels;
        const std::size_t take = std::min(available, max_frames - frames_done);
        std::copy_n(pending_.begin() + static_cast<std::ptrdiff_t>(pending_offset_), take * channels,
                    interleaved + frames_done * channels);
        pending_offset_ += take * channels;
        frames_done += take;
    }
    return frames_done;
}

bool FfmpegDecoder::decode_next_frame() {
    while (!decoder_drained_) {
        const int received = avcodec_receive_frame(codec_.get(), frame_.get());
        if (received == 0) {
            convert_frame();
            av_frame_unref(frame_.get());
            return true;
        }
        if (received == AVERROR_EOF) {
            decoder_drained_ = true;
            if (converter_ && resampling_) {  // a resampled last link: its tail is in the converter
                pending_.clear();
                pending_offset_ = 0;
                drain_converter();
                if (!pending_.empty()) return true;
            }
        } else if (received == AVERROR(EAGAIN)) {
            feed_decoder();
        } else if (received != AVERROR_INVALIDDATA) {  // a corrupt frame is skipped, as players do
            fail("decoding failed", received);
        }
    }
    return false;
}

void FfmpegDecoder::feed_decoder() {
    while (true) {
        const int read = av_read_frame(container_.get(), packet_.get());
        if (read == AVERROR_EOF && sent_packet_) {
            avcodec_send_packet(codec_.get(), nullptr);  // start draining
            return;
        }
        if (read < 0) {
            const std::string io_error = source_->io_error();
            if (!io_error.empty()) throw source_->read_failure();
            if (sent_packet_) {
                // A cut or damage after good audio ends the stream there, as
                // for MP3 and FLAC (docs/formats.md, Bad input). WavPack's
                // demuxer says EIO for a block the file ends inside.
                avcodec_send_packet(codec_.get(), nullptr);
                return;
            }
            // Nothing reached the decoder: a file cut inside its first packet
            // (WavPack's demuxer then says EIO, others just end).
            if (read == AVERROR_EOF || read == AVERROR(EIO))
                fail_plainly("the file ends before its first complete " + format_.codec + " packet (cut short)");
            fail("demuxing failed", read);
        }
        if (packet_->stream_index != stream_index_) {
            av_packet_unref(packet_.get());
            continue;
        }
        const int sent = avcodec_send_packet(codec_.get(), packet_.get());
        av_packet_unref(packet_.get());
        if (sent == 0) {
            sent_packet_ = true;
            return;
        }
        if (sent != AVERROR_INVALIDDATA) fail("decoding failed", sent);  // corrupt packets are skipped
    }
}

void FfmpegDecoder::convert_frame() {
    AVFrame& frame = *frame_;
    pending_.clear();
    pending_offset_ = 0;
    const bool format_changed = frame.sample_rate != converter_input_rate_ ||
                                frame.ch_layout.nb_channels != converter_input_channels_ ||
                                frame.format != converter_input_format_;
    if (!converter_ || format_changed) {
        // Built from the first frame (some decoders settle their sample
        // format only once they decode), again at each change of format.
        if (converter_) drain_converter();
        build_converter(frame);
    }
    append_converted(const_cast<const uint8_t**>(frame.extended_data), frame.nb_samples);
}

void FfmpegDecoder::build_converter(AVFrame& frame) {
    // The first frame usually has the stream's layout: converted as it is.
    // Otherwise (a later link, or a decoder that settles its channels only
    // when it decodes) the output must still have format_.channels.
    const bool same_layout = !converter_ && frame.ch_layout.nb_channels == format_.channels;
    AVChannelLayout output_layout{};
    if (same_layout) {
        if (av_channel_layout_copy(&output_layout, &frame.ch_layout) < 0) fail("cannot copy the channel layout", AVERROR(ENOMEM));
    } else {
        av_channel_layout_default(&output_layout, format_.channels);
    }
    SwrContext* converter = nullptr;
    int made = swr_alloc_set_opts2(&converter, &output_layout, AV_SAMPLE_FMT_FLT, format_.sample_rate,
                                   &frame.ch_layout, static_cast<AVSampleFormat>(frame.format), frame.sample_rate, 0,
                                   nullptr);
    av_channel_layout_uninit(&output_layout);
    converter_.reset(converter);
    if (made >= 0 && !same_layout) {
        const int inputs = frame.ch_layout.nb_channels;
        const std::vector<double> mean(static_cast<std::size_t>(format_.channels * inputs), 1.0 / inputs);
        made = swr_set_matrix(converter, mean.data(), inputs);
    }
    if (made >= 0) made = swr_init(converter);
    if (made < 0) fail("cannot convert the decoded samples", made);
    converter_input_format_ = frame.format;
    converter_input_rate_ = frame.sample_rate;
    converter_input_channels_ = frame.ch_layout.nb_channels;
    resampling_ = frame.sample_rate != format_.sample_rate;
}

void FfmpegDecoder::drain_converter() {
    if (resampling_) append_converted(nullptr, 0);
    resampling_ = false;
}

void FfmpegDecoder::append_converted(const uint8_t** input, int input_samples) {
    const int room = swr_get_out_samples(converter_.get(), input_samples);
    if (room < 0) fail("cannot convert the decoded samples", room);
    const auto channels = static_cast<std::size_t>(format_.channels);
    const std::size_t before = pending_.size();
    pending_.resize(before + static_cast<std::size_t>(room) * channels);
    uint8_t* output[] = {reinterpret_cast<uint8_t*>(pending_.data() + before)};
    const int converted = swr_convert(converter_.get(), output, room, input, input_samples);
    if (converted < 0) fail("cannot convert the decoded samples", converted);
    pending_.resize(before + static_cast<std::size_t>(converted) * channels);
}

void FfmpegDecoder::fail_plainly(const std::string& reason) const { throw AudioError(source_->path(), reason); }

void FfmpegDecoder::fail(const std::string& what, int av_error) const {
    throw AudioError(source_->path(), what + " (" + av_error_text(av_error) + ")");
}

}  // namespace vibed::core
