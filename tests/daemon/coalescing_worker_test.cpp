// The daemon services' thread primitive: requests made while it works are
// merged into one, a failed request is served again, stop() ends a request
// in progress. Real threads; every wait is for a condition, never a time.
#include "daemon/service/coalescing_worker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace vibed::daemon {
namespace {

struct Words {
    std::vector<std::string> words;
    void merge(Words&& newer) { words.insert(words.end(), newer.words.begin(), newer.words.end()); }
};

// A gate the serve function waits at until the test opens it.
class Gate {
public:
    void open() {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        changed_.notify_all();
    }
    void wait() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return open_; });
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool open_ = false;
};

// Records what the worker served and lets the test wait for a count.
class Served {
public:
    void add(const Words& request) {
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(request.words);
        }
        changed_.notify_all();
    }
    std::vector<std::vector<std::string>> wait_for(std::size_t count) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return requests_.size() >= count; });
        return requests_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::vector<std::string>> requests_;
};

TEST(CoalescingWorker, RequestsMadeWhileItWorksAreServedAsOne) {
    Gate first_started;
    Gate release;
    Served served;
    CoalescingWorker<Words> worker([&](Words& request, std::stop_token) {
        served.add(request);
        if (request.words.front() == "first") {
            first_started.open();
            release.wait();
        }
        return true;
    });
    worker.post({{"first"}});
    first_started.wait();
    worker.post({{"a"}});
    worker.post({{"b"}});
    worker.post({{"c"}});
    EXPECT_FALSE(worker.idle());
    release.open();
    const auto requests = served.wait_for(2);
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[1], (std::vector<std::string>{"a", "b", "c"}));
    worker.stop();
    EXPECT_EQ(worker.completed(), 2u);
    EXPECT_TRUE(worker.idle());
}

TEST(CoalescingWorker, AFailedRequestIsServedAgainUntilItWorks) {
    Served served;
    int failures_left = 2;
    CoalescingWorker<Words> worker(
        [&](Words& request, std::stop_token) {
            served.add(request);
            return failures_left-- <= 0;
        },
        util::Backoff{std::chrono::milliseconds(1), std::chrono::milliseconds(4)});
    worker.post({{"publish"}});
    const auto requests = served.wait_for(3);
    worker.stop();
    ASSERT_EQ(requests.size(), 3u);
    for (const auto& request : requests) EXPECT_EQ(request, std::vector<std::string>{"publish"});
}

TEST(CoalescingWorker, WithoutABackOffAFailureIsNotRepeated) {
    Served served;
    CoalescingWorker<Words> worker([&](Words& request, std::stop_token) {
        served.add(request);
        return false;
    });
    worker.post({{"once"}});
    worker.post({{"twice"}});  // merged or served after: either way no repeats of "once" alone
    served.wait_for(1);
    worker.stop();
    const auto requests = served.wait_for(1);
    std::size_t onces = 0;
    for (const auto& request : requests) onces += static_cast<std::size_t>(std::count(request.begin(), request.end(), "once"));
    EXPECT_EQ(onces, 1u);
}

TEST(CoalescingWorker, StopEndsARequestThatWaitsForIt) {
    Gate started;
    CoalescingWorker<Words> worker([&](Words&, std::stop_token stop) {
        started.open();
        std::mutex mutex;
        std::condition_variable_any never;
        std::unique_lock lock(mutex);
        never.wait(lock, stop, [] { return false; });
        return true;
    });
    worker.post({{"long"}});
    started.wait();
    worker.stop();  // returns: the serve function saw the stop token
    EXPECT_EQ(worker.completed(), 1u);
}

}  // namespace
}  // namespace vibed::daemon
