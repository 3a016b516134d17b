#pragma once
// Decoding any supported audio file to interleaved float samples.
//
// open_audio() sniffs the file's first bytes and picks a backend: libmpg123 for
// MPEG audio, libsndfile for WAV/FLAC/Ogg Vorbis/Opus/AIFF, FFmpeg's libraries
// for everything else (M4A with AAC or ALAC, ...). docs/formats.md lists what
// each backend reads.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace vibed::core {

struct AudioFormat {
    int sample_rate = 0;
    int channels = 0;
    // Frames per channel, when the container states it (an estimate for MP3
    // files without a Xing/LAME header).
    std::optional<std::int64_t> frames;
    // Human-readable codec name, e.g. "mp3", "aac", "Signed 16 bit PCM".
    std::string codec;
    // The library decoding it: "mpg123", "libsndfile" or "ffmpeg" (which of
    // two a format went to depends on Decoders, below).
    std::string decoder;
};

// A file that cannot be opened or decoded. what() reads "<path>: <reason>".
class AudioError : public std::runtime_error {
public:
    // `transient`: resource trouble (out of file descriptors or memory, an I/O
    // error), not a fault of the file: trying again later may well work.
    AudioError(std::filesystem::path path, const std::string& reason, bool transient = false);
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] bool transient() const { return transient_; }

private:
    std::filesystem::path path_;
    bool transient_;
};

// One open audio file. Not thread-safe; one per file.
class AudioDecoder {
public:
    virtual ~AudioDecoder() = default;
    [[nodiscard]] virtual const AudioFormat& format() const = 0;
    // Reads up to max_frames (> 0) interleaved float frames (samples nominally
    // in [-1, 1]) into `interleaved`, which holds max_frames * channels floats.
    // Returns the frames read, 0 at the end. Throws AudioError.
    virtual std::size_t read(float* interleaved, std::size_t max_frames) = 0;
    // Moves to frame `frame` (from the start, per channel) so that the next
    // read() starts exactly there, as if every frame before it had been read.
    // Returns false when this backend cannot seek (the caller then reads and
    // discards instead). Throws AudioError.
    virtual bool seek(std::int64_t frame) {
        (void)frame;
        return false;
    }
};

// Opens `path` with the backend its content calls for. Refuses anything but a
// regular, non-empty file (directories, FIFOs, sockets and devices are refused
// without blocking). The file stays open until the decoder is destroyed, so a
// file deleted or replaced mid-read is still decoded completely from the
// version that was opened. Throws AudioError.
//
// `decoders` says which backend wins where two can read a format:
//  - as_vibenet: the backends whose output equals VibeNet's loader (libsndfile
//    for Ogg Vorbis and Opus), as the teacher's parity needs;
//  - fastest: FFmpeg for Ogg Vorbis (about 2 times faster than libsndfile)
//    and Opus (about 3 times), per 4-minute track in docs/performance.md.
//    MP3 stays with mpg123 (FFmpeg's is no faster) and FLAC with libsndfile
//    (faster than FFmpeg's). Not bit-identical to VibeNet's loader.
enum class Decoders { as_vibenet, fastest };
std::unique_ptr<AudioDecoder> open_audio(const std::filesystem::path& path, Decoders decoders = Decoders::as_vibenet);
class SourceFile;
// The same for a file already opened (and so already checked).
std::unique_ptr<AudioDecoder> open_audio(std::unique_ptr<SourceFile> source, Decoders decoders = Decoders::as_vibenet);

// Whether the extension is one we try at all (case-insensitive); the scanner
// uses it to skip cover art, playlists and other non-audio files.
bool has_audio_extension(const std::filesystem::path& path);

}  // namespace vibed::core
