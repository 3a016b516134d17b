#pragma once
// RAII ownership of one inotify instance and decoding of its event records.
// The only place in vibed that calls the inotify API.

#include <sys/inotify.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>

namespace vibed::daemon {

class InotifyError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The kernel's per-user watch limit (fs.inotify.max_user_watches) was hit.
class WatchLimitReached : public InotifyError {
public:
    using InotifyError::InotifyError;
};

struct InotifyRecord {
    int watch = -1;
    std::uint32_t mask = 0;
    std::uint32_t cookie = 0;
    std::string name;  // empty for events about the watched folder itself
};

class Inotify {
public:
    // Non-blocking and close-on-exec. Throws InotifyError.
    Inotify();
    ~Inotify();
    Inotify(const Inotify&) = delete;
    Inotify& operator=(const Inotify&) = delete;

    [[nodiscard]] int fd() const { return fd_; }

    // Returns the watch descriptor. Throws WatchLimitReached when the kernel
    // limit is hit, InotifyError (naming the folder) otherwise.
    int add_watch(const std::filesystem::path& folder, std::uint32_t mask);
    // Harmless if the kernel already dropped the watch.
    void remove_watch(int watch) noexcept;

    // Splits a buffer filled by read(2) into records.
    static void decode(std::span<const char> bytes, const std::function<void(const InotifyRecord&)>& on_record);

private:
    int fd_ = -1;
};

}  // namespace vibed::daemon
