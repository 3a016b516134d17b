#pragma once
// Which decoder backend a file needs, judged by its first bytes rather than
// its name (files are often misnamed: AAC in .mp3, MP3 in .wav...).

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

namespace vibed::core {

enum class Backend { mpg123, sndfile, ffmpeg };

// Bytes to read from the start of the file (and again after an ID3v2 tag)
// for id3v2_tag_size() and choose_backend().
inline constexpr std::size_t kSniffBytes = 64;

// The extension of `path` in lower case, without the dot ("" when none).
std::string lowercase_extension(const std::filesystem::path& path);

// Total size of the ID3v2 tag `head` starts with (header, body and footer),
// or 0 when it starts with none.
std::size_t id3v2_tag_size(std::span<const std::byte> head);

// How far into the stream (after any ID3v2 tag) an MPEG file's first frame
// may start: junk before it is common (a few KB), a file of nothing but
// zeros (a preallocated download) is not MPEG audio, and neither TagLib nor
// libmpg123 should spend minutes searching 2 GB of it for a frame.
inline constexpr std::size_t kMaxBytesBeforeFirstMpegFrame = 1 << 20;

// Offset of the first MPEG audio frame header in `bytes`, or npos.
std::size_t find_mpeg_audio_frame(std::span<const std::byte> bytes);

// Whether `head` starts an Ogg stream whose first packet is Vorbis or Opus.
bool is_ogg_vorbis_or_opus(std::span<const std::byte> head);

// Bytes read from the end of an Ogg file to find its last page (a page is at
// most 65,307 bytes).
inline constexpr std::size_t kOggTailBytes = 65536 + 512;

// Whether the last Ogg page in `tail` (the end of the file) belongs to
// another logical stream than the first page, which `head` starts with: a
// chained file (links one after another: joined files, stream recordings).
bool is_chained_ogg(std::span<const std::byte> head, std::span<const std::byte> tail);

// The backend for a stream whose first bytes (after any ID3v2 tag) are
// `head`. Content decides; the extension of `path` only breaks the tie for
// MPEG audio that does not start with a frame header.
Backend choose_backend(std::span<const std::byte> head, const std::filesystem::path& path);

}  // namespace vibed::core
