#include "core/audio/audio_decoder.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>
#include <vector>

#include "core/audio/ffmpeg_decoder.hpp"
#include "core/audio/format_sniffer.hpp"
#include "core/audio/mpg123_decoder.hpp"
#include "core/audio/sndfile_decoder.hpp"
#include "core/audio/source_file.hpp"

namespace vibed::core {
namespace {

// Lower-case, without the dot. Keep docs/formats.md in step.
constexpr auto kAudioExtensions = std::to_array<std::string_view>({
    "mp3", "mp2", "mp1", "mpga", "wav", "wave", "flac", "ogg", "oga", "opus", "aif", "aiff",
    "aifc", "caf", "m4a", "m4b", "mp4", "aac", "mka", "wma", "ape", "wv", "tta",
});

// The first kSniffBytes of the audio stream proper, skipping an ID3v2 tag
// (MP3s usually have one; FLAC and AAC files sometimes do).
std::vector<std::byte> stream_head(SourceFile& source) {
    std::vector<std::byte> head(kSniffBytes);
    std::int64_t got = source.read_at(0, head);
    if (got >= 0) {
        head.resize(static_cast<std::size_t>(got));
        if (const std::size_t tag = id3v2_tag_size(head); tag > 0) {
            head.resize(kSniffBytes);
            got = source.read_at(static_cast<std::int64_t>(tag), head);
        }
    }
    if (got < 0) throw source.read_failure();
    head.resize(static_cast<std::size_t>(got));
    return head;
}

// An MPEG stream that does not start with a frame: there must be one within
// kMaxBytesBeforeFirstMpegFrame, or it is refused at once instead of being
// searched to its end (2 GB of zeros named .mp3).
void require_mpeg_frame_near_start(SourceFile& source, std::span<const std::byte> head) {
    if (find_mpeg_audio_frame(head) == 0) return;
    std::vector<std::byte> start(kSniffBytes);
    std::int64_t got = source.read_at(0, start);
    if (got < 0) throw source.read_failure();
    start.resize(static_cast<std::size_t>(got));
    const std::size_t tag = id3v2_tag_size(start);
    std::vector<std::byte> window(kMaxBytesBeforeFirstMpegFrame + 4);
    got = source.read_at(static_cast<std::int64_t>(tag), window);
    if (got < 0) throw source.read_failure();
    window.resize(static_cast<std::size_t>(got));
    if (find_mpeg_audio_frame(window) == std::string::npos) {
        throw AudioError(source.path(), "not an MPEG audio stream (no frame in its first " +
                                            std::to_string(kMaxBytesBeforeFirstMpegFrame >> 20) + " MiB)");
    }
}

// libsndfile decodes the first link of a chained Ogg file and then stops as
// if the file had ended; FFmpeg's demuxer follows the chain. One read of the
// file's last 64 KiB tells them apart.
bool ogg_file_is_chained(SourceFile& source, std::span<const std::byte> head) {
    std::vector<std::byte> tail(static_cast<std::size_t>(std::min<std::int64_t>(source.size(), kOggTailBytes)));
    const std::int64_t got = source.read_at(source.size() - static_cast<std::int64_t>(tail.size()), tail);
    if (got < 0) throw source.read_failure();
    tail.resize(static_cast<std::size_t>(got));
    return is_chained_ogg(head, tail);
}

}  // namespace

AudioError::AudioError(std::filesystem::path path, const std::string& reason, bool transient)
    : std::runtime_error(path.string() + ": " + reason), path_(std::move(path)), transient_(transient) {}

std::unique_ptr<AudioDecoder> open_audio(const std::filesystem::path& path, Decoders decoders) {
    return open_audio(std::make_unique<SourceFile>(path), decoders);
}

std::unique_ptr<AudioDecoder> open_audio(std::unique_ptr<SourceFile> source, Decoders decoders) {
    const std::filesystem::path path = source->path();
    const std::vector<std::byte> head = stream_head(*source);
    if (is_ogg_vorbis_or_opus(head) && (decoders == Decoders::fastest || ogg_file_is_chained(*source, head)))
        return std::make_unique<FfmpegDecoder>(std::move(source));
    switch (choose_backend(head, path)) {
        case Backend::mpg123:
            require_mpeg_frame_near_start(*source, head);
            return std::make_unique<Mpg123Decoder>(std::move(source));
        case Backend::sndfile: return std::make_unique<SndfileDecoder>(std::move(source));
        case Backend::ffmpeg: return std::make_unique<FfmpegDecoder>(std::move(source));
    }
    throw AudioError(path, "no decoder");  // unreachable: every Backend is handled above
}

bool has_audio_extension(const std::filesystem::path& path) {
    const std::string extension = lowercase_extension(path);
    return std::find(kAudioExtensions.begin(), kAudioExtensions.end(), extension) != kAudioExtensions.end();
}

}  // namespace vibed::core
