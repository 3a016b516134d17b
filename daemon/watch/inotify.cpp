#include "daemon/watch/inotify.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vibed::daemon {

Inotify::Inotify() : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    if (fd_ < 0) throw InotifyError(std::string("inotify_init1: ") + std::strerror(errno));
}

Inotify::~Inotify() {
    if (fd_ >= 0) ::close(fd_);
}

int Inotify::add_watch(const std::filesystem::path& folder, std::uint32_t mask) {
    const int watch = inotify_add_watch(fd_, folder.c_str(), mask);
    if (watch >= 0) return watch;
    const int error = errno;
    if (error == ENOSPC) {
        throw WatchLimitReached(folder.string() +
                                ": inotify watch limit reached (raise fs.inotify.max_user_watches)");
    }
    throw InotifyError(folder.string() + ": cannot watch: " + std::strerror(error));
}

void Inotify::remove_watch(int watch) noexcept { inotify_rm_watch(fd_, watch); }

void Inotify::decode(std::span<const char> bytes, const std::function<void(const InotifyRecord&)>& on_record) {
    std::size_t offset = 0;
    while (offset + sizeof(inotify_event) <= bytes.size()) {
        inotify_event header;
        std::memcpy(&header, bytes.data() + offset, sizeof header);  // the buffer may be unaligned
        const std::size_t record_size = sizeof(inotify_event) + header.len;
        if (offset + record_size > bytes.size()) break;
        InotifyRecord record{header.wd, header.mask, header.cookie, {}};
        if (header.len > 0) {
            const char* name = bytes.data() + offset + sizeof(inotify_event);
            record.name.assign(name, strnlen(name, header.len));  // the kernel pads names with NULs
        }
        on_record(record);
        offset += record_size;
    }
}

}  // namespace vibed::daemon
