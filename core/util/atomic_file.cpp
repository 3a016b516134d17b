#include "core/util/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace vibed::util {
namespace {

std::string errno_text(int error) { return std::generic_category().message(error); }

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error) {
    throw std::runtime_error(what + " '" + path.string() + "': " + errno_text(error));
}

// Owns one open file descriptor; the only place here that calls close().
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    FileDescriptor& operator=(FileDescriptor&&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }

    [[nodiscard]] int get() const { return fd_; }

    // Closes now and reports the error a destructor would have to swallow
    // (on some file systems a failed write only shows up here).
    void close(const std::filesystem::path& path) {
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) fail("cannot write", path, errno);
    }

private:
    int fd_;
};

// Removes the temporary file unless the rename consumed it.
class TemporaryFile {
public:
    explicit TemporaryFile(std::filesystem::path path) : path_(std::move(path)) {}
    TemporaryFile(TemporaryFile&& other) noexcept : path_(std::exchange(other.path_, {})) {}
    TemporaryFile& operator=(TemporaryFile&&) = delete;
    ~TemporaryFile() {
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    void release() { path_.clear(); }

private:
    std::filesystem::path path_;
};

void write_all(const FileDescriptor& file, std::string_view content, const std::filesystem::path& path) {
    while (!content.empty()) {
        const ssize_t written = ::write(file.get(), content.data(), content.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            fail("cannot write", path, errno);
        }
        content.remove_prefix(static_cast<std::size_t>(written));
    }
}

constexpr std::string_view kTemporarySuffix = ".tmp";

// The writer's pid in one of our temporary names, ".TARGET.PID-N.tmp";
// nullopt for any other name.
std::optional<pid_t> writer_of_temporary(std::string_view name) {
    if (name.size() < 2 || name.front() != '.' || !name.ends_with(kTemporarySuffix)) return std::nullopt;
    name.remove_suffix(kTemporarySuffix.size());
    const auto dash = name.rfind('-');
    const auto dot = name.rfind('.', dash);
    if (dash == std::string_view::npos || dot == std::string_view::npos || dot == 0) return std::nullopt;
    const auto is_number = [](std::string_view digits) {
        return !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
    };
    const std::string_view pid_text = name.substr(dot + 1, dash - dot - 1);
    if (!is_number(pid_text) || !is_number(name.substr(dash + 1))) return std::nullopt;
    pid_t pid = 0;
    const auto [end, error] = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
    if (error != std::errc{} || end != pid_text.data() + pid_text.size() || pid <= 0) return std::nullopt;
    return pid;
}

bool process_running(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

// Creates a fresh, uniquely named file next to `target` (same file system,
// so the final rename is atomic). Hidden and ending in .tmp, so players that
// scan the folder ignore it.
std::pair<FileDescriptor, TemporaryFile> create_temporary_next_to(const std::filesystem::path& target, unsigned mode) {
    static std::atomic<unsigned> counter{0};
    const std::filesystem::path folder = target.parent_path();
    while (true) {
        const std::filesystem::path candidate =
            folder / ("." + target.filename().string() + "." + std::to_string(::getpid()) + "-" +
                      std::to_string(counter++) + std::string(kTemporarySuffix));
        const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
        if (fd >= 0) return {FileDescriptor(fd), TemporaryFile(candidate)};
        if (errno != EEXIST && errno != EINTR) fail("cannot write in folder", folder, errno);
    }
}

void sync_folder(const std::filesystem::path& folder) {
    FileDescriptor directory(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (directory.get() < 0) fail("cannot open folder", folder, errno);
    if (::fsync(directory.get()) != 0) fail("cannot sync folder", folder, errno);
    directory.close(folder);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& target, std::string_view content, unsigned mode) {
    auto [file, temporary] = create_temporary_next_to(target, mode);
    write_all(file, content, temporary.path());
    if (::fsync(file.get()) != 0) fail("cannot write", temporary.path(), errno);
    file.close(temporary.path());
    if (::rename(temporary.path().c_str(), target.c_str()) != 0) fail("cannot replace", target, errno);
    temporary.release();
    sync_folder(target.parent_path());
}

std::vector<std::filesystem::path> remove_abandoned_temporaries(const std::filesystem::path& folder) {
    std::vector<std::filesystem::path> removed;
    std::error_code error;
    std::filesystem::directory_iterator entries(folder, error);
    if (error) return removed;  // no folder yet: nothing was left in it
    for (const auto& entry : entries) {
        const auto writer = writer_of_temporary(entry.path().filename().native());
        if (!writer || *writer == ::getpid() || process_running(*writer)) continue;
        std::error_code type_error;
        if (!entry.is_regular_file(type_error) || entry.is_symlink(type_error)) continue;
        if (::unlink(entry.path().c_str()) != 0 && errno != ENOENT) fail("cannot remove", entry.path(), errno);
        removed.push_back(entry.path());
    }
    return removed;
}

std::optional<std::string> read_file_if_exists(const std::filesystem::path& path) {
    std::error_code error;
    const bool present = std::filesystem::exists(path, error);
    if (error) throw std::runtime_error("cannot look for '" + path.string() + "': " + error.message());
    if (!present) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open '" + path.string() + "' for reading");
    std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) throw std::runtime_error("cannot read '" + path.string() + "'");
    return bytes;
}

}  // namespace vibed::util
