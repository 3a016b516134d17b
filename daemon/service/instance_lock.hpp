#pragma once
// Guarantees one daemon per index: an exclusive flock on "<database>.lock",
// released by the kernel however the daemon dies (kill -9 included).

#include <filesystem>
#include <stdexcept>

namespace vibed::daemon {

class AlreadyRunning : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class InstanceLock {
public:
    // Throws AlreadyRunning (naming the other daemon's pid) when the lock is
    // held, std::runtime_error when the lock file cannot be created.
    explicit InstanceLock(const std::filesystem::path& database);
    ~InstanceLock();
    InstanceLock(const InstanceLock&) = delete;
    InstanceLock& operator=(const InstanceLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace vibed::daemon
