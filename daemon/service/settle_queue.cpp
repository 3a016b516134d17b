#include "daemon/service/settle_queue.hpp"

#include <algorithm>

#include "core/util/path_tree.hpp"

namespace vibed::daemon {

void SettleQueue::touch(const std::filesystem::path& file, Clock::time_point now) {
    waiting_[file] = Waiting{now + settle_time_, util::stamp_of(file)};
}

void SettleQueue::forget(const std::filesystem::path& path) {
    std::erase_if(waiting_, [&](const auto& entry) { return util::is_at_or_under(entry.first, path); });
}

void SettleQueue::rename(const std::filesystem::path& from, const std::filesystem::path& to) {
    std::vector<std::pair<std::filesystem::path, Waiting>> moved;
    for (auto it = waiting_.begin(); it != waiting_.end();) {
        if (util::is_at_or_under(it->first, from)) {
            moved.emplace_back(util::rebase(it->first, from, to), it->second);
            it = waiting_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& [path, waiting] : moved) waiting_[path] = waiting;
}

std::vector<std::filesystem::path> SettleQueue::take_ready(Clock::time_point now) {
    std::vector<std::filesystem::path> ready;
    for (auto it = waiting_.begin(); it != waiting_.end();) {
        if (it->second.due > now) {
            ++it;
            continue;
        }
        const auto stamp = util::stamp_of(it->first);
        if (!stamp) {
            it = waiting_.erase(it);  // gone again (a temporary file)
        } else if (stamp != it->second.stamp) {
            it->second = Waiting{now + settle_time_, stamp};  // still being written
            ++it;
        } else {
            ready.push_back(it->first);
            it = waiting_.erase(it);
        }
    }
    return ready;
}

}  // namespace vibed::daemon
