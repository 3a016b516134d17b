#include "core/audio/sndfile_decoder.hpp"

#include <sndfile.h>

#include <string>

namespace vibed::core {
namespace {

SourceFile& as_source(void* user_data) { return *static_cast<SourceFile*>(user_data); }

sf_count_t source_length(void* user_data) noexcept { return as_source(user_data).size(); }

sf_count_t seek_source(sf_count_t offset, int whence, void* user_data) noexcept {
    return as_source(user_data).seek(offset, whence);
}

sf_count_t read_source(void* buffer, sf_count_t bytes, void* user_data) noexcept {
    const std::int64_t got =
        as_source(user_data).read({static_cast<std::byte*>(buffer), static_cast<std::size_t>(bytes)});
    return got < 0 ? 0 : got;  // libsndfile has no error return; io_error() keeps the reason
}

sf_count_t refuse_write(const void*, sf_count_t, void*) noexcept { return 0; }

sf_count_t source_position(void* user_data) noexcept { return as_source(user_data).seek(0, SEEK_CUR); }

SF_VIRTUAL_IO source_io() {
    return SF_VIRTUAL_IO{source_length, seek_source, read_source, refuse_write, source_position};
}

std::string subtype_name(int format) {
    SF_FORMAT_INFO info{};
    info.format = format & SF_FORMAT_SUBMASK;
    if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &info, sizeof info) != 0 || info.name == nullptr)
        return "unknown";
    return info.name;
}

}  // namespace

void SndfileDecoder::SndfileCloser::operator()(SNDFILE* file) const noexcept { sf_close(file); }

SndfileDecoder::SndfileDecoder(std::unique_ptr<SourceFile> source) : source_(std::move(source)) {
    SF_INFO info{};
    SF_VIRTUAL_IO io = source_io();
    file_.reset(sf_open_virtual(&io, SFM_READ, &info, source_.get()));
    if (!file_) {
        // sf_strerror(nullptr) is libsndfile's last global error: the best it
        // offers for a failed open.
        if (!source_->io_error().empty()) throw source_->read_failure();
        throw AudioError(source_->path(), std::string("cannot decode: ") + sf_strerror(nullptr));
    }
    format_.sample_rate = info.samplerate;
    format_.channels = info.channels;
    if (info.frames >= 0 && info.frames < SF_COUNT_MAX) format_.frames = info.frames;
    format_.codec = subtype_name(info.format);
    format_.decoder = "libsndfile";
}

SndfileDecoder::~SndfileDecoder() = default;

std::size_t SndfileDecoder::read(float* interleaved, std::size_t max_frames) {
    const sf_count_t got = sf_readf_float(file_.get(), interleaved, static_cast<sf_count_t>(max_frames));
    if (got > 0) {
        decoded_any_ = true;
        return static_cast<std::size_t>(got);
    }
    const std::string io_error = source_->io_error();
    if (!io_error.empty()) throw source_->read_failure();
    // Damaged data after good audio (typically a file cut short: FLAC then
    // reports "lost sync") ends the stream there, like libmpg123 and FFmpeg
    // do; damage before any audio is an error.
    if (sf_error(file_.get()) != SF_ERR_NO_ERROR && !decoded_any_)
        throw AudioError(source_->path(), std::string("decoding failed: ") + sf_strerror(file_.get()));
    return 0;
}

// libsndfile seeks frame-accurately in PCM, FLAC (its seek table or a
// bisection) and Ogg Vorbis/Opus (granule positions).
bool SndfileDecoder::seek(std::int64_t frame) {
    if (sf_seek(file_.get(), static_cast<sf_count_t>(frame), SEEK_SET) < 0) {
        if (!source_->io_error().empty()) throw source_->read_failure();
        return false;  // a format libsndfile cannot seek in: read through instead
    }
    return true;
}

}  // namespace vibed::core
