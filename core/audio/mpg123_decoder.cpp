#include "core/audio/mpg123_decoder.hpp"

#include <mpg123.h>

#include <string>

namespace vibed::core {
namespace {

// mpg123_init() is a no-op in current libmpg123 but older versions need it
// once, before any handle exists; a function-local static runs it once.
void init_mpg123_once() {
    static const int result = mpg123_init();
    (void)result;  // a failure shows up as mpg123_new() failing
}

mpg123_ssize_t read_source(void* source, void* buffer, size_t bytes) noexcept {
    return static_cast<SourceFile*>(source)->read({static_cast<std::byte*>(buffer), bytes});
}

off_t seek_source(void* source, off_t offset, int whence) noexcept {
    return static_cast<SourceFile*>(source)->seek(offset, whence);
}

const char* layer_name(int layer) {
    switch (layer) {
        case 1: return "mp1";
        case 2: return "mp2";
        default: return "mp3";
    }
}

}  // namespace

void Mpg123Decoder::HandleDeleter::operator()(mpg123_handle* handle) const noexcept {
    mpg123_close(handle);
    mpg123_delete(handle);
}

Mpg123Decoder::Mpg123Decoder(std::unique_ptr<SourceFile> source) : source_(std::move(source)) {
    init_mpg123_once();
    int error = MPG123_OK;
    handle_.reset(mpg123_new(nullptr, &error));
    if (!handle_) fail(std::string("cannot create an MPEG decoder: ") + mpg123_plain_strerror(error));
    mpg123_handle* handle = handle_.get();

    // The settings libsndfile's MPEG decoder uses (native rate, float
    // output, gapless trimming of encoder delay and padding), plus QUIET:
    // errors reach the user through AudioError only. Not its
    // NO_FRANKENSTEIN: with it, MP3s joined end to end (audiobook chapters,
    // `cat a.mp3 b.mp3`) stop where the first part's Xing/LAME header says
    // it ends, the rest silently dropped.
    const bool configured =
        mpg123_param(handle, MPG123_REMOVE_FLAGS, MPG123_AUTO_RESAMPLE, 0) == MPG123_OK &&
        mpg123_param(handle, MPG123_ADD_FLAGS,
                     MPG123_FORCE_FLOAT | MPG123_GAPLESS | MPG123_QUIET,
                     0) == MPG123_OK &&
        mpg123_replace_reader_handle(handle, read_source, seek_source, nullptr) == MPG123_OK &&
        mpg123_open_handle(handle, source_.get()) == MPG123_OK;
    if (!configured) fail(std::string("cannot set up the MPEG decoder: ") + mpg123_strerror(handle));

    long rate = 0;
    int channels = 0;
    int encoding = 0;
    if (mpg123_getformat(handle, &rate, &channels, &encoding) != MPG123_OK) {
        if (!source_->io_error().empty()) throw source_->read_failure();
        fail(std::string("not an MPEG audio stream (") + mpg123_strerror(handle) + ")");
    }
    if (encoding != MPG123_ENC_FLOAT_32) fail("the MPEG decoder does not deliver float samples");

    format_.sample_rate = static_cast<int>(rate);
    format_.channels = channels;
    if (const off_t length = mpg123_length(handle); length > 0) format_.frames = length;
    mpg123_frameinfo info{};
    format_.codec = mpg123_info(handle, &info) == MPG123_OK ? layer_name(info.layer) : "mpeg audio";
    format_.decoder = "mpg123";
}

Mpg123Decoder::~Mpg123Decoder() = default;

std::size_t Mpg123Decoder::read(float* interleaved, std::size_t max_frames) {
    if (max_frames == 0 || ended_) return 0;
    const std::size_t frame_bytes = sizeof(float) * static_cast<std::size_t>(format_.channels);
    mpg123_handle* handle = handle_.get();
    while (true) {
        size_t bytes_done = 0;
        const int result =
            mpg123_read(handle, reinterpret_cast<unsigned char*>(interleaved), max_frames * frame_bytes, &bytes_done);
        if (result == MPG123_OK || result == MPG123_DONE) {
            // OK with no bytes happens right after a (harmless) format notice.
            if (bytes_done > 0) delivered_audio_ = true;
            if (bytes_done > 0 || result == MPG123_DONE) return bytes_done / frame_bytes;
            continue;
        }
        if (result == MPG123_NEW_FORMAT) {
            long rate = 0;
            int channels = 0;
            int encoding = 0;
            mpg123_getformat(handle, &rate, &channels, &encoding);
            if (rate != format_.sample_rate || channels != format_.channels || encoding != MPG123_ENC_FLOAT_32) {
                // A joined part in another rate or layout: the stream ends
                // where it starts, as libsndfile ends it.
                if (!delivered_audio_) fail("the audio format changes in mid-stream");
                ended_ = true;
                return bytes_done / frame_bytes;
            }
            continue;
        }
        if (!source_->io_error().empty()) throw source_->read_failure();
        // Good audio followed by a run no frame can be found in (the zeros
        // of a preallocated, partly downloaded file): the stream ends there,
        // as it does at a cut (docs/formats.md, Bad input).
        if (delivered_audio_ && mpg123_errcode(handle) == MPG123_RESYNC_FAIL) return bytes_done / frame_bytes;
        fail(std::string("MPEG decoding failed: ") + mpg123_strerror(handle));
    }
}

// libmpg123 seeks sample-accurately on a seekable stream without MPG123_FUZZY:
// it walks the frame headers (filling its frame index, no decoding) up to the
// frame holding the target, decodes from a few frames earlier for the bit
// reservoir, and drops the samples before the target, gapless offsets included.
bool Mpg123Decoder::seek(std::int64_t frame) {
    if (mpg123_seek(handle_.get(), static_cast<off_t>(frame), SEEK_SET) < 0) {
        if (!source_->io_error().empty()) throw source_->read_failure();
        fail(std::string("MPEG seek failed: ") + mpg123_strerror(handle_.get()));
    }
    return true;
}

void Mpg123Decoder::fail(const std::string& what) const { throw AudioError(source_->path(), what); }

}  // namespace vibed::core
