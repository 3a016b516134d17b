#include "core/audio/format_sniffer.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace vibed::core {
namespace {

bool has_bytes_at(std::span<const std::byte> head, std::size_t offset, std::string_view magic) {
    if (head.size() < offset + magic.size()) return false;
    return std::equal(magic.begin(), magic.end(), head.begin() + static_cast<std::ptrdiff_t>(offset),
                      [](char expected, std::byte actual) {
                          return static_cast<unsigned char>(expected) == std::to_integer<unsigned char>(actual);
                      });
}

unsigned byte_at(std::span<const std::byte> head, std::size_t offset) {
    return std::to_integer<unsigned>(head[offset]);
}

// An MPEG-1/2/2.5 layer I-III frame header with no reserved field values.
bool is_mpeg_audio_frame(std::span<const std::byte> head) {
    if (head.size() < 4) return false;
    const unsigned b1 = byte_at(head, 1);
    const unsigned b2 = byte_at(head, 2);
    const bool sync = byte_at(head, 0) == 0xFF && (b1 & 0xE0) == 0xE0;
    const bool version_ok = ((b1 >> 3) & 3) != 1;
    const bool layer_ok = ((b1 >> 1) & 3) != 0;  // layer 0 is AAC's ADTS
    const bool bitrate_ok = (b2 >> 4) != 15;
    const bool rate_ok = ((b2 >> 2) & 3) != 3;
    return sync && version_ok && layer_ok && bitrate_ok && rate_ok;
}

bool is_sndfile_container(std::span<const std::byte> head) {
    const bool wav = (has_bytes_at(head, 0, "RIFF") || has_bytes_at(head, 0, "RF64")) &&
                     has_bytes_at(head, 8, "WAVE");
    const bool aiff = has_bytes_at(head, 0, "FORM") &&
                      (has_bytes_at(head, 8, "AIFF") || has_bytes_at(head, 8, "AIFC"));
    const bool flac = has_bytes_at(head, 0, "fLaC");
    const bool caf = has_bytes_at(head, 0, "caff");
    return wav || aiff || flac || caf || is_ogg_vorbis_or_opus(head);
}

// Containers FFmpeg reads that sometimes hide behind an .mp3 name.
bool is_ffmpeg_container(std::span<const std::byte> head) {
    const bool mp4 = has_bytes_at(head, 4, "ftyp");
    const bool adts = head.size() >= 2 && byte_at(head, 0) == 0xFF && (byte_at(head, 1) & 0xF6) == 0xF0;
    const bool matroska = has_bytes_at(head, 0, "\x1A\x45\xDF\xA3");
    const bool asf = has_bytes_at(head, 0, "\x30\x26\xB2\x75\x8E\x66\xCF\x11");
    const bool other_ogg = has_bytes_at(head, 0, "OggS");  // Vorbis and Opus went to libsndfile
    return mp4 || adts || matroska || asf || other_ogg;
}

bool has_mpeg_extension(const std::filesystem::path& path) {
    const std::string extension = lowercase_extension(path);
    return extension == "mp3" || extension == "mp2" || extension == "mp1" || extension == "mpga";
}

}  // namespace

// Ogg streams libsndfile decodes: Vorbis and Opus. The first page's first
// packet starts after the 27-byte page header and its segment table.
bool is_ogg_vorbis_or_opus(std::span<const std::byte> head) {
    if (!has_bytes_at(head, 0, "OggS") || head.size() < 27) return false;
    const std::size_t packet = 27 + byte_at(head, 26);
    return has_bytes_at(head, packet, "\x01vorbis") || has_bytes_at(head, packet, "OpusHead");
}

bool is_chained_ogg(std::span<const std::byte> head, std::span<const std::byte> tail) {
    constexpr std::size_t kPageHeaderBytes = 27;
    constexpr std::size_t kSerialOffset = 14;
    if (!has_bytes_at(head, 0, "OggS") || head.size() < kPageHeaderBytes) return false;
    for (std::size_t i = tail.size() < kPageHeaderBytes ? 0 : tail.size() - kPageHeaderBytes + 1; i-- > 0;) {
        // A capture pattern with stream structure version 0: a page header
        // (the odd "OggS" inside packet data is rarer than a page boundary).
        if (!has_bytes_at(tail, i, "OggS") || byte_at(tail, i + 4) != 0) continue;
        return !std::equal(head.begin() + kSerialOffset, head.begin() + kSerialOffset + 4,
                           tail.begin() + static_cast<std::ptrdiff_t>(i + kSerialOffset));
    }
    return false;
}

std::string lowercase_extension(const std::filesystem::path& path) {
    std::string extension = path.extension().string();
    if (!extension.empty()) extension.erase(0, 1);
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension;
}

std::size_t id3v2_tag_size(std::span<const std::byte> head) {
    if (!has_bytes_at(head, 0, "ID3") || head.size() < 10) return 0;
    // The body size is a 28-bit "syncsafe" integer: 7 bits per byte.
    std::size_t body = 0;
    for (std::size_t i = 6; i < 10; ++i) body = (body << 7) | (byte_at(head, i) & 0x7F);
    const bool has_footer = (byte_at(head, 5) & 0x10) != 0;
    return 10 + body + (has_footer ? 10 : 0);
}

std::size_t find_mpeg_audio_frame(std::span<const std::byte> bytes) {
    for (std::size_t i = 0; i + 4 <= bytes.size(); ++i) {
        if (byte_at(bytes, i) == 0xFF && is_mpeg_audio_frame(bytes.subspan(i))) return i;
    }
    return std::string::npos;
}

Backend choose_backend(std::span<const std::byte> head, const std::filesystem::path& path) {
    if (is_sndfile_container(head)) return Backend::sndfile;
    if (is_mpeg_audio_frame(head)) return Backend::mpg123;
    if (is_ffmpeg_container(head)) return Backend::ffmpeg;
    // MP3s sometimes start with junk before the first frame; mpg123 resyncs,
    // and for anything else it says clearly that this is not MPEG audio.
    if (has_mpeg_extension(path)) return Backend::mpg123;
    return Backend::ffmpeg;
}

}  // namespace vibed::core
