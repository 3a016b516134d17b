// The playlist publisher on its own thread, with a real index and real
// playlist folders: requests made while a publish runs become one more
// publish with the newest configuration; a folder that cannot be written is
// on the ProblemBoard, retried, and cleared once it can; each done callback
// is called exactly once.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <future>
#include <mutex>
#include <thread>

#include "config/config.hpp"
#include "daemon/service/playlist_publisher.hpp"
#include "tests/daemon/daemon_test_util.hpp"
#include "tests/db/test_support.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::ScratchDir;

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

// The playlist files in `folder` (none when it does not exist), without the
// publisher's own list of what it wrote.
std::vector<std::string> files_in(const fs::path& folder) {
    std::vector<std::string> names;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(folder, error)) {
        if (entry.path().extension() == ".m3u") names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What the done callbacks saw: how often each was called and with what.
struct Calls {
    std::mutex mutex;
    std::map<std::string, std::vector<bool>> results;
    std::map<std::string, std::optional<std::chrono::system_clock::time_point>> publish_of;

    PlaylistPublisher::Done recorder(const std::string& name, const PlaylistPublisher& publisher) {
        return [this, name, &publisher](bool ok) {
            std::lock_guard lock(mutex);
            results[name].push_back(ok);
            publish_of[name] = publisher.summary().last_publish;  // set before the callbacks run
        };
    }
    std::vector<bool> of(const std::string& name) {
        std::lock_guard lock(mutex);
        return results[name];
    }
};

class PlaylistPublisherTest : public ::testing::Test {
protected:
    PlaylistPublisherTest() {
        db::Index index = db::Index::open(dir_ / "library.db");
        model_ = index.ensure_model("student", "aaaa");
        for (const char* name : {"one", "two"}) {
            const auto path = (dir_ / "music" / (std::string(name) + ".flac")).string();
            index.upsert_pending(path, 100, 1000);
            index.record_result(db::testing::ok_record(path, model_, 0.4f));
        }
    }

    // A configuration writing one playlist, `name`, of every track into `folder`.
    std::shared_ptr<const config::Config> config_for(const std::string& name, const fs::path& folder) const {
        const std::string toml = "[library]\npaths = [\"" + (dir_ / "music").string() + "\"]\n" +
                                 "[database]\npath = \"" + (dir_ / "library.db").string() + "\"\n" +
                                 "[playlists]\ndefault_playlists = false\nmpd = \"off\"\n" +
                                 "[[output]]\nfolder = \"" + folder.string() + "\"\nextension = \".m3u\"\n" +
                                 "path_style = \"absolute\"\n" +
                                 "[[playlist]]\nname = \"" + name + "\"\nquery = \"energy >= 0\"\n";
        return std::make_shared<const config::Config>(config::parse_config(toml, "test.toml"));
    }

    ScratchDir dir_;
    std::int64_t model_ = 0;
    ProblemBoard problems_;
};

TEST_F(PlaylistPublisherTest, RequestsDuringAPublishBecomeOneMorePublishWithTheNewestConfig) {
    std::atomic<int> flushes{0};
    std::promise<void> entered;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    Calls calls;
    PlaylistPublisher publisher(problems_, [&] {
        if (flushes++ == 0) {  // the first publish waits here until the test has asked twice more
            entered.set_value();
            released.wait();
        }
    });
    publisher.request(config_for("First", dir_ / "out-a"), model_, true, calls.recorder("a", publisher));
    entered.get_future().wait();
    publisher.request(config_for("Second", dir_ / "out-b"), model_, true, calls.recorder("b", publisher));
    publisher.request(config_for("Third", dir_ / "out-c"), model_, true, calls.recorder("c", publisher));
    release.set_value();
    ASSERT_TRUE(wait_until([&] { return !calls.of("c").empty(); }, 20s));

    EXPECT_EQ(flushes, 2) << "the two waiting requests were not served as one";
    EXPECT_EQ(calls.of("a"), std::vector<bool>{true});
    EXPECT_EQ(calls.of("b"), std::vector<bool>{true});
    EXPECT_EQ(calls.of("c"), std::vector<bool>{true});
    {
        std::lock_guard lock(calls.mutex);
        EXPECT_EQ(calls.publish_of["b"], calls.publish_of["c"]) << "b and c were published separately";
        EXPECT_NE(calls.publish_of["a"], calls.publish_of["c"]);
    }
    EXPECT_EQ(files_in(dir_ / "out-a"), std::vector<std::string>{"First.m3u"});
    EXPECT_TRUE(files_in(dir_ / "out-b").empty()) << "the older of the waiting configurations was published";
    ASSERT_EQ(files_in(dir_ / "out-c"), std::vector<std::string>{"Third.m3u"});
    const std::string third = read_text(dir_ / "out-c/Third.m3u");
    EXPECT_NE(third.find((dir_ / "music/one.flac").string()), std::string::npos) << third;
    EXPECT_NE(third.find((dir_ / "music/two.flac").string()), std::string::npos) << third;
    EXPECT_EQ(publisher.summary().files_written, 1u);
    EXPECT_FALSE(problems_.has(PlaylistPublisher::kProblemArea));
}

TEST_F(PlaylistPublisherTest, AnUnwritableFolderIsAProblemRetriedUntilItClears) {
    // A file where the playlist folder should be: nothing can be written
    // there (a read-only folder would not stop root, who runs the tests).
    const fs::path folder = dir_ / "playlists";
    test::write_file(folder, "in the way");
    Calls calls;
    PlaylistPublisher publisher(problems_, {});
    publisher.request(config_for("Everything", folder), model_, false, calls.recorder("first", publisher));
    ASSERT_TRUE(wait_until([&] { return !calls.of("first").empty(); }, 20s));
    EXPECT_EQ(calls.of("first"), std::vector<bool>{false});
    ASSERT_TRUE(problems_.has(PlaylistPublisher::kProblemArea));
    const auto problem = problems_.current().front().message;
    EXPECT_NE(problem.find(folder.string()), std::string::npos) << problem;

    fs::remove(folder);  // writable again: the retry (every 10 s) writes without a new request
    ASSERT_TRUE(wait_until([&] { return !problems_.has(PlaylistPublisher::kProblemArea); }, 30s))
        << problems_.current().front().message;
    EXPECT_EQ(files_in(folder), std::vector<std::string>{"Everything.m3u"});
    EXPECT_EQ(calls.of("first"), std::vector<bool>{false}) << "the done callback was called again by the retry";
    const auto summary = publisher.summary();
    EXPECT_EQ(summary.files_failed, 0u);
    EXPECT_EQ(summary.files_written, 1u);
    EXPECT_TRUE(summary.last_publish.has_value());
}

TEST_F(PlaylistPublisherTest, AnUnreadableIndexIsAProblemAndDoneSaysSo) {
    auto config = std::make_shared<config::Config>(*config_for("Everything", dir_ / "out"));
    config->database.path = dir_ / "no-such.db";
    Calls calls;
    PlaylistPublisher publisher(problems_, {});
    publisher.request(config, model_, false, calls.recorder("first", publisher));
    ASSERT_TRUE(wait_until([&] { return !calls.of("first").empty(); }, 20s));
    EXPECT_EQ(calls.of("first"), std::vector<bool>{false});
    ASSERT_TRUE(problems_.has(PlaylistPublisher::kProblemArea));
    EXPECT_NE(problems_.current().front().message.find("cannot write the playlists"), std::string::npos);
    EXPECT_TRUE(files_in(dir_ / "out").empty());

    // A newer request does not wait for the retry and carries the good configuration.
    publisher.request(config_for("Everything", dir_ / "out"), model_, false, calls.recorder("second", publisher));
    ASSERT_TRUE(wait_until([&] { return !calls.of("second").empty(); }, 5s));
    EXPECT_EQ(calls.of("second"), std::vector<bool>{true});
    EXPECT_FALSE(problems_.has(PlaylistPublisher::kProblemArea));
    EXPECT_EQ(files_in(dir_ / "out"), std::vector<std::string>{"Everything.m3u"});
}

}  // namespace
}  // namespace vibed::daemon
