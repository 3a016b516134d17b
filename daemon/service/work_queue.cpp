#include "daemon/service/work_queue.hpp"

namespace vibed::daemon {

WorkQueue::WorkQueue(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

WorkQueue::PushResult WorkQueue::try_push(const std::filesystem::path& file) {
    std::lock_guard lock(mutex_);
    if (closed_) return PushResult::closed;
    if (queued_.contains(file)) return PushResult::duplicate;
    if (files_.size() >= capacity_) return PushResult::full;
    files_.push_back(file);
    queued_.insert(file);
    not_empty_.notify_one();
    return PushResult::queued;
}

bool WorkQueue::push(const std::filesystem::path& file) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || files_.size() < capacity_ || queued_.contains(file); });
    if (closed_) return false;
    if (queued_.insert(file).second) {
        files_.push_back(file);
        not_empty_.notify_one();
    }
    return true;
}

std::optional<std::filesystem::path> WorkQueue::pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !files_.empty(); });
    if (closed_) return std::nullopt;
    std::filesystem::path file = std::move(files_.front());
    files_.pop_front();
    queued_.erase(file);
    not_full_.notify_one();
    return file;
}

void WorkQueue::close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    files_.clear();
    queued_.clear();
    not_empty_.notify_all();
    not_full_.notify_all();
}

void WorkQueue::reopen() {
    std::lock_guard lock(mutex_);
    closed_ = false;
}

std::size_t WorkQueue::size() const {
    std::lock_guard lock(mutex_);
    return files_.size();
}

}  // namespace vibed::daemon
