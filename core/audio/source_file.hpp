#pragma once
// The one place that touches the file descriptor of an audio file. Every
// decoder backend reads through a SourceFile (via its library's custom I/O
// hooks), so opening rules and I/O error reporting are the same for all.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "core/audio/audio_decoder.hpp"

namespace vibed::core {

class SourceFile {
public:
    // Opens a regular, non-empty file for reading. Directories, FIFOs, sockets
    // and devices are refused without blocking. Throws AudioError.
    explicit SourceFile(std::filesystem::path path);
    ~SourceFile();
    SourceFile(const SourceFile&) = delete;
    SourceFile& operator=(const SourceFile&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    // Size in bytes at the time the file was opened.
    [[nodiscard]] std::int64_t size() const { return size_; }

    // The I/O primitives below are called from C callbacks, so they never
    // throw: they return -1 on failure and remember the reason (see
    // io_error()).

    // Reads up to buffer.size() bytes at the current position; 0 at the end.
    std::int64_t read(std::span<std::byte> buffer) noexcept;
    // Like lseek(2): returns the new position.
    std::int64_t seek(std::int64_t offset, int whence) noexcept;
    // Reads up to buffer.size() bytes at `offset` without moving the position.
    std::int64_t read_at(std::int64_t offset, std::span<std::byte> buffer) noexcept;

    // Why the last failed read or seek failed ("" when none did).
    [[nodiscard]] std::string io_error() const;
    // The AudioError for that failure ("read failed: <reason>"), transient
    // when the reason is resource trouble rather than the file.
    [[nodiscard]] AudioError read_failure() const;

    // The descriptor, for readers with their own I/O layer (the tag reader).
    // It stays owned by this object.
    [[nodiscard]] int descriptor() const { return fd_; }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    std::int64_t size_ = 0;
    int io_errno_ = 0;
};

}  // namespace vibed::core
