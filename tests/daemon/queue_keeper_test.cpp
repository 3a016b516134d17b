// Keep playing ([mpd] keep_playing) against a real mpd started here (null
// output, so it plays in real time) over a real index: when the queue runs
// low it appends tracks like the last ones, never one already queued; while
// MPD is away the problem is on the board and clears when it is back.
// Skipped when mpd or mpc is not installed.

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <thread>

#include "config/config.hpp"
#include "core/model/file_digest.hpp"
#include "daemon/mpd/queue_keeper.hpp"
#include "daemon/mpd/similar_tracks.hpp"
#include "daemon/service/problem_board.hpp"
#include "tests/daemon/daemon_test_util.hpp"
#include "tests/db/test_support.hpp"

namespace vibed::daemon::mpd {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::ScratchDir;

bool installed(const char* program) {
    return std::system((std::string("command -v ") + program + " > /dev/null 2>&1").c_str()) == 0;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

// An mpd of its own: music_directory `library`, a socket in `dir`, no sound.
class MpdProcess {
public:
    MpdProcess(const fs::path& dir, const fs::path& library) : dir_(dir), socket_(dir / "mpd.sock") {
        fs::create_directories(dir / "state");
        std::ofstream(dir / "mpd.conf") << "music_directory \"" << library.string() << "\"\n"
                                        << "playlist_directory \"" << (dir / "state").string() << "\"\n"
                                        << "db_file \"" << (dir / "state/database").string() << "\"\n"
                                        << "log_file \"" << (dir / "state/log").string() << "\"\n"
                                        << "bind_to_address \"" << socket_.string() << "\"\n"
                                        << "audio_output {\n  type \"null\"\n  name \"null\"\n}\n";
        start();
    }
    ~MpdProcess() { stop(); }
    MpdProcess(const MpdProcess&) = delete;
    MpdProcess& operator=(const MpdProcess&) = delete;

    void start() {
        // Made before fork(): the child may only make async-signal-safe calls
        // (the keeper's thread may hold the allocator's lock).
        const std::string conf = (dir_ / "mpd.conf").string();
        const std::string log = (dir_ / "mpd.out").string();
        pid_ = fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (out >= 0) {
                dup2(out, STDOUT_FILENO);
                dup2(out, STDERR_FILENO);
            }
            execlp("mpd", "mpd", "--no-daemon", conf.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        if (!wait_until([&] { return mpc("status") == 0; }, 20s)) throw std::runtime_error("mpd did not start");
    }
    void stop() {
        if (pid_ <= 0) return;
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

    // Runs mpc against this mpd; returns its exit status.
    int mpc(const std::string& arguments) const {
        return std::system(("mpc -q --host '" + socket_.string() + "' " + arguments + " > /dev/null 2>&1").c_str());
    }
    // The queue as MPD's URIs.
    std::vector<std::string> queue() const {
        const fs::path out = dir_ / "queue.txt";
        std::system(("mpc --host '" + socket_.string() + "' -f '%file%' playlist > '" + out.string() + "' 2>/dev/null").c_str());
        std::ifstream in(out);
        std::vector<std::string> uris;
        for (std::string line; std::getline(in, line);) {
            if (!line.empty()) uris.push_back(line);
        }
        return uris;
    }
    [[nodiscard]] const fs::path& socket() const { return socket_; }

private:
    fs::path dir_;
    fs::path socket_;
    pid_t pid_ = -1;
};

class QueueKeeperTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!installed("mpd") || !installed("mpc")) GTEST_SKIP() << "mpd and mpc are needed (scripts/install-deps.sh)";
        fill_library();
        mpd_ = std::make_unique<MpdProcess>(dir_ / "mpd", library_);
        ASSERT_EQ(mpd_->mpc("update --wait"), 0);
        auto config = config::default_config();
        config.library.paths = {library_};
        config.database.path = dir_ / "library.db";
        config.analysis.similarity_model = similarity_file_.string();
        config.mpd_client.host = mpd_->socket().string();
        config.mpd_client.timeout = 5s;
        config.mpd_client.keep_playing = true;
        config.mpd_client.low_water = 1;
        config.mpd_client.add_tracks = 2;
        config.mpd_client.no_repeat = 8h;
        config.mpd_client.day_curve.clear();
        config_ = std::make_shared<const config::Config>(std::move(config));
    }

    // 20-second songs with vectors on a line (a 0, b 1, ..., g 6, far 10).
    void fill_library() {
        std::ofstream(similarity_file_) << "{\"a similarity model\": \"read for its digest only\"}";
        db::Index index = db::Index::open(dir_ / "library.db");
        model_ = index.ensure_model("student", "aaaa");
        const std::int64_t similarity = index.ensure_model("similarity", core::sha256_file(similarity_file_));
        const std::vector<std::pair<std::string, float>> songs{{"a", 0}, {"b", 1}, {"c", 2}, {"d", 3},
                                                                 {"e", 4}, {"f", 5}, {"g", 6}, {"far", 10}};
        for (const auto& [name, x] : songs) {
            const fs::path file = library_ / (name + ".flac");
            fs::create_directories(library_);
            fs::copy_file(fs::path(VIBED_FIXTURE_DIR) / "song.flac", file);
            db::AnalysisRecord record = db::testing::ok_record(file.string(), model_, 0.4f);
            record.tags.artist = "Artist " + name;
            record.vector = std::vector<float>{x, 0.0f};
            record.similarity_model_id = similarity;
            index.upsert_pending(record.path, record.size, record.mtime_ns);
            ASSERT_TRUE(index.record_result(record));
        }
    }

    std::unique_ptr<QueueKeeper> keeper() {
        return std::make_unique<QueueKeeper>(config_, model_, problems_, suggest_for_the_time);
    }

    ScratchDir dir_;
    fs::path library_ = dir_ / "library";
    fs::path similarity_file_ = dir_ / "similarity.json";
    std::int64_t model_ = 0;
    std::unique_ptr<MpdProcess> mpd_;
    std::shared_ptr<const config::Config> config_;
    ProblemBoard problems_;
};

TEST_F(QueueKeeperTest, AShortQueueIsToppedUpWithSimilarTracksNotAlreadyQueued) {
    ASSERT_EQ(mpd_->mpc("add a.flac b.flac"), 0);
    ASSERT_EQ(mpd_->mpc("play 1"), 0);  // a plays, only b follows: at the low water mark
    const auto keeping = keeper();
    ASSERT_TRUE(wait_until([&] { return keeping->summary().appended >= 2; }, 20s)) << mpd_->queue().size();
    const auto queue = mpd_->queue();
    ASSERT_EQ(queue.size(), 4u) << "appended other than add_tracks = 2";
    EXPECT_EQ(queue[0], "a.flac");
    EXPECT_EQ(queue[1], "b.flac");
    // The two nearest to a and b that are not queued; never a or b again.
    EXPECT_EQ(std::set<std::string>(queue.begin() + 2, queue.end()), (std::set<std::string>{"c.flac", "d.flac"}));
    EXPECT_EQ(keeping->summary().mpd, "MPD at " + mpd_->socket().string());
    EXPECT_FALSE(problems_.has(QueueKeeper::kProblemArea));

    // Three follow a now: above the low water mark, nothing more is appended.
    std::this_thread::sleep_for(1s);
    EXPECT_EQ(mpd_->queue().size(), 4u);
    EXPECT_EQ(keeping->summary().appended, 2u);
}

TEST_F(QueueKeeperTest, ATrackQueuedEarlierIsNotAppendedAgain) {
    // The last five (the seeds) are far, c, d, e and f; b is queued before them.
    ASSERT_EQ(mpd_->mpc("add b.flac far.flac c.flac d.flac e.flac f.flac"), 0);
    ASSERT_EQ(mpd_->mpc("play 5"), 0);  // e plays, f follows
    const auto keeping = keeper();
    ASSERT_TRUE(wait_until([&] { return keeping->summary().appended >= 2; }, 20s)) << mpd_->queue().size();
    const auto queue = mpd_->queue();
    ASSERT_EQ(queue.size(), 8u);
    // Nearest to the seeds are g (6) and b (1), but b is queued: a (0) comes instead.
    EXPECT_EQ(std::set<std::string>(queue.begin() + 6, queue.end()), (std::set<std::string>{"g.flac", "a.flac"}));
}

TEST_F(QueueKeeperTest, WhenEveryTrackIsQueuedNothingIsAppendedAndThatIsSaid) {
    ASSERT_EQ(mpd_->mpc("add a.flac b.flac c.flac d.flac e.flac f.flac g.flac far.flac"), 0);
    ASSERT_EQ(mpd_->mpc("play 7"), 0);  // g plays, far follows
    const auto keeping = keeper();
    ASSERT_TRUE(wait_until([&] { return problems_.has("keep playing"); }, 20s));
    EXPECT_NE(problems_.current().front().message.find("no track like the last ones is left to append"),
              std::string::npos)
        << problems_.current().front().message;
    EXPECT_EQ(mpd_->queue().size(), 8u);
    EXPECT_EQ(keeping->summary().appended, 0u);
}

TEST_F(QueueKeeperTest, MpdGoneIsAProblemThatClearsWhenItIsBack) {
    mpd_->stop();
    const auto keeping = keeper();
    ASSERT_TRUE(wait_until([&] { return problems_.has(QueueKeeper::kProblemArea); }, 20s));
    EXPECT_NE(problems_.current().front().message.find(mpd_->socket().string()), std::string::npos)
        << problems_.current().front().message;
    EXPECT_EQ(keeping->summary().mpd, "");

    mpd_->start();
    ASSERT_EQ(mpd_->mpc("add a.flac"), 0);
    ASSERT_EQ(mpd_->mpc("play 1"), 0);
    // Reconnects after its back-off (1 s, then doubling) and tops up the lone track.
    ASSERT_TRUE(wait_until([&] { return keeping->summary().appended >= 2; }, 30s));
    EXPECT_FALSE(problems_.has(QueueKeeper::kProblemArea));
    const auto queue = mpd_->queue();
    EXPECT_EQ(std::set<std::string>(queue.begin(), queue.end()).size(), queue.size()) << "a track was queued twice";
}

}  // namespace
}  // namespace vibed::daemon::mpd
