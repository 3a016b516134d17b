#include "core/audio/source_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/audio/audio_decoder.hpp"

namespace vibed::core {
namespace {

// Why a file of this type cannot be decoded, or nullptr for a regular file.
const char* non_regular_reason(mode_t mode) {
    if (S_ISREG(mode)) return nullptr;
    if (S_ISDIR(mode)) return "is a directory, not an audio file";
    if (S_ISFIFO(mode)) return "is a FIFO, not a regular file";
    if (S_ISSOCK(mode)) return "is a socket, not a regular file";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device, not a regular file";
    return "is not a regular file";
}

// Errors that say nothing about the file: the process or the system ran out of
// something, or the disk hiccupped. Worth retrying later.
bool is_resource_errno(int error) {
    switch (error) {
        case EMFILE:
        case ENFILE:
        case ENOMEM:
        case ENOBUFS:
        case EIO:
        case EAGAIN:
        case EINTR:
        case EBUSY:
        case ETIMEDOUT:
        case ESTALE:
        case ENOLCK: return true;
        default: return false;
    }
}

[[noreturn]] void throw_errno(const std::filesystem::path& path, int error) {
    throw AudioError(path, std::strerror(error), is_resource_errno(error));
}

}  // namespace

SourceFile::SourceFile(std::filesystem::path path) : path_(std::move(path)) {
    // stat() first so FIFOs and sockets get a clear message (open() on a
    // socket fails with a confusing ENXIO).
    struct stat status{};
    if (::stat(path_.c_str(), &status) != 0) throw_errno(path_, errno);
    if (const char* reason = non_regular_reason(status.st_mode)) throw AudioError(path_, reason);

    // O_NONBLOCK: if the path was swapped for a FIFO since stat(), open()
    // must not wait for a writer. fstat() below catches the swap.
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) throw_errno(path_, errno);
    try {
        if (::fstat(fd_, &status) != 0) throw_errno(path_, errno);
        if (const char* reason = non_regular_reason(status.st_mode)) throw AudioError(path_, reason);
        if (status.st_size == 0) throw AudioError(path_, "empty file");
        size_ = status.st_size;
        // Regular files ignore O_NONBLOCK, but keep the descriptor ordinary.
        const int flags = ::fcntl(fd_, F_GETFL);
        if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK) != 0)
            throw_errno(path_, errno);
    } catch (...) {
        ::close(fd_);
        throw;
    }
}

SourceFile::~SourceFile() { ::close(fd_); }

std::int64_t SourceFile::read(std::span<std::byte> buffer) noexcept {
    ssize_t got = 0;
    do {
        got = ::read(fd_, buffer.data(), buffer.size());
    } while (got < 0 && errno == EINTR);
    if (got < 0) io_errno_ = errno;
    return got;
}

std::int64_t SourceFile::seek(std::int64_t offset, int whence) noexcept {
    const off_t position = ::lseek(fd_, offset, whence);
    if (position < 0) io_errno_ = errno;
    return position;
}

std::int64_t SourceFile::read_at(std::int64_t offset, std::span<std::byte> buffer) noexcept {
    ssize_t got = 0;
    do {
        got = ::pread(fd_, buffer.data(), buffer.size(), offset);
    } while (got < 0 && errno == EINTR);
    if (got < 0) io_errno_ = errno;
    return got;
}

std::string SourceFile::io_error() const { return io_errno_ == 0 ? "" : std::strerror(io_errno_); }

AudioError SourceFile::read_failure() const {
    return AudioError(path_, "read failed: " + io_error(), is_resource_errno(io_errno_));
}

}  // namespace vibed::core
