// `vibectl status`: the JSON the daemon answers with and the lines vibectl
// prints from it, for a daemon that is idle, one that is working, one with
// problems, and no daemon at all. The track counts come from a real index.

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "daemon/app/status_report.hpp"
#include "db/index.hpp"
#include "tests/db/test_support.hpp"

namespace vibed::daemon {
namespace {

using db::testing::ok_record;

class StatusReportTest : public ::testing::Test {
protected:
    StatusReportTest() {
        config_.library.paths = {dir_ / "music"};
        config_.database.path = dir_ / "library.db";
        config_.outputs.clear();
        config_.outputs.push_back(util::OutputTarget{});
        config_.outputs.back().folder = dir_ / "playlists";
        config_.daemon.settle = std::chrono::seconds(5);
        db::Index index = db::Index::open(config_.database.path);
        const std::int64_t model = index.ensure_model("student", "0123456789abcdef0123");
        for (const char* name : {"a", "b"}) {
            const auto path = (dir_ / "music" / (std::string(name) + ".flac")).string();
            index.upsert_pending(path, 100, 1000);
            index.record_result(ok_record(path, model, 0.3f));
        }
        index.upsert_pending((dir_ / "music/c.flac").string(), 100, 1000);
        stats_ = index.stats(model);
        activity_.pid = 4242;
        activity_.watched_folders = 3;
    }

    [[nodiscard]] nlohmann::json report(const DaemonActivity* activity, bool known = true) const {
        return status_report(config_, "student", "0123456789abcdef0123", stats_, activity, known, meter_);
    }

    db::testing::ScratchDir dir_;
    config::Config config_ = config::default_config();
    db::IndexStats stats_;
    DaemonActivity activity_;
    mutable ThroughputMeter meter_;  // this test's own, not the process's daemon meter
};

bool has_line(const std::string& text, const std::string& line) {
    return text.find(line + "\n") != std::string::npos;
}

TEST_F(StatusReportTest, TheIndexFiguresComeFromTheDatabase) {
    const auto status = report(&activity_);
    EXPECT_EQ(status["running"], true);
    EXPECT_EQ(status["library"], nlohmann::json::array({(dir_ / "music").string()}));
    EXPECT_EQ(status["database"], (dir_ / "library.db").string());
    EXPECT_EQ(status["playlist_folders"], nlohmann::json::array({(dir_ / "playlists").string()}));
    EXPECT_EQ(status["model"]["name"], "student");
    EXPECT_EQ(status["tracks"]["total"], 3);
    EXPECT_EQ(status["tracks"]["ok"], 2);
    EXPECT_EQ(status["tracks"]["analysed"], 2);
    EXPECT_EQ(status["tracks"]["pending"], 1);
    EXPECT_EQ(status["tracks"]["failed"], 0);
    EXPECT_EQ(status["tracks"]["known"], true);

    const std::string text = format_status(status);
    EXPECT_TRUE(has_line(text, "tracks:    3 in total: 2 analysed, 0 failed, 1 waiting")) << text;
    EXPECT_TRUE(has_line(text, "model:     student (0123456789ab), not loaded: nothing analysed since start")) << text;
    EXPECT_TRUE(has_line(text, "playlists: " + (dir_ / "playlists").string())) << text;
}

TEST_F(StatusReportTest, AnIdleDaemon) {
    const auto status = report(&activity_);
    const auto& daemon = status["daemon"];
    EXPECT_EQ(daemon["pid"], 4242);
    EXPECT_EQ(daemon["working"], false);
    EXPECT_TRUE(daemon["tracks_per_second"].is_null());
    EXPECT_TRUE(daemon["eta_seconds"].is_null());
    EXPECT_EQ(daemon["problems"], nlohmann::json::array());
    EXPECT_TRUE(daemon["playlists"]["written_at"].is_null());
    EXPECT_FALSE(daemon.contains("keep_playing"));

    const std::string text = format_status(status);
    EXPECT_TRUE(has_line(text, "daemon:    running (pid 4242)")) << text;
    EXPECT_TRUE(has_line(text, "work:      idle")) << text;
    EXPECT_TRUE(has_line(text, "watching:  3 folders")) << text;
    EXPECT_TRUE(has_line(text, "written:   no playlists written by this run yet")) << text;
    EXPECT_EQ(text.find("PROBLEM"), std::string::npos) << text;
    EXPECT_EQ(text.find("settling:"), std::string::npos) << text;
}

TEST_F(StatusReportTest, AWorkingDaemonShowsItsRateAndWhatIsLeft) {
    activity_.model_loaded = true;
    activity_.queued = 5;
    activity_.settling = 2;
    activity_.in_flight = 1;
    activity_.to_store = 4;
    activity_.analysed = 9;
    activity_.failed = 1;
    activity_.seconds_running = 5;
    activity_.scanning = true;
    activity_.offline_folders = {"/media/usb/music"};
    activity_.keep_playing = DaemonActivity::KeepPlaying{"MPD at /run/mpd/socket", 7};
    // The first request of a busy stretch: 10 tracks in 5 s of running say
    // nothing about now (the daemon may have idled), so no rate and no ETA.
    const auto first = report(&activity_);
    EXPECT_TRUE(first["daemon"]["tracks_per_second"].is_null());
    EXPECT_TRUE(first["daemon"]["eta_seconds"].is_null());
    EXPECT_TRUE(has_line(format_status(first), "work:      5 queued, 1 being analysed, 4 to store; speed not measured "
                                               "yet (scanning)"))
        << format_status(first);

    // A request 5 s earlier in the same busy stretch saw none of the 10 finished.
    ThroughputMeter busy;
    busy.observe(ThroughputMeter::Clock::now() - std::chrono::seconds(5), 0, true);
    const auto status = status_report(config_, "student", "0123456789abcdef0123", stats_, &activity_, true, busy);
    const auto& daemon = status["daemon"];
    EXPECT_EQ(daemon["working"], true);
    // 10 in the 5 s (and the microseconds this test took since).
    EXPECT_NEAR(daemon["tracks_per_second"].get<double>(), 2.0, 0.01);
    // What is left is the larger of the index's pending (1) and the visible work (5 + 1).
    EXPECT_NEAR(daemon["eta_seconds"].get<double>(), 3.0, 0.02);
    EXPECT_EQ(daemon["settle_seconds"], 5);
    EXPECT_EQ(daemon["offline_folders"], nlohmann::json::array({"/media/usb/music"}));
    EXPECT_EQ(daemon["keep_playing"]["appended"], 7);

    const std::string text = format_status(status);
    EXPECT_TRUE(has_line(text, "model:     student (0123456789ab), loaded")) << text;
    EXPECT_TRUE(has_line(text, "work:      5 queued, 1 being analysed, 4 to store; 2.00 tracks/s, about 3 s left "
                               "(scanning)"))
        << text;
    EXPECT_TRUE(has_line(text, "settling:  2 files wait until 5 s pass without a change ([daemon] settle_seconds), "
                               "then is analysed"))
        << text;
    EXPECT_TRUE(has_line(text, "offline:   /media/usb/music")) << text;
    EXPECT_TRUE(has_line(text, "keeping:   MPD at /run/mpd/socket's queue going (7 tracks appended)")) << text;
}

TEST_F(StatusReportTest, ProblemsAreListedWithTheirAreaAndEscaped) {
    const auto since = std::chrono::system_clock::from_time_t(1'700'000'000);
    activity_.problems.push_back({"playlists", "/out/\x1b[2Jx.m3u: read-only file system", since});
    activity_.problems.push_back({"database", "database is locked", since});
    activity_.playlists_written_at = since;
    activity_.playlist_files_written = 2;
    activity_.playlist_files_unchanged = 5;
    activity_.keep_playing = DaemonActivity::KeepPlaying{"", 0};
    const auto status = report(&activity_);
    const auto& problems = status["daemon"]["problems"];
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0]["area"], "playlists");
    EXPECT_EQ(problems[0]["since"], 1'700'000'000);
    EXPECT_EQ(problems[1]["message"], "database is locked");
    EXPECT_EQ(status["daemon"]["playlists"]["written_at"], 1'700'000'000);

    const std::string text = format_status(status);
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << "a file name sent the terminal a command";
    EXPECT_NE(text.find("PROBLEM:   playlists: /out/"), std::string::npos) << text;
    EXPECT_NE(text.find("x.m3u: read-only file system (since "), std::string::npos) << text;
    EXPECT_NE(text.find("PROBLEM:   database: database is locked (since "), std::string::npos) << text;
    EXPECT_NE(text.find("(2 files changed, 5 unchanged)"), std::string::npos) << text;
    EXPECT_TRUE(has_line(text, "keeping:   MPD's queue going once MPD is reachable (0 tracks appended)")) << text;
}

TEST_F(StatusReportTest, WithoutADaemonOnlyTheDatabaseSpeaks) {
    const auto status = report(nullptr);
    EXPECT_EQ(status["running"], false);
    EXPECT_FALSE(status.contains("daemon"));
    const std::string text = format_status(status);
    EXPECT_TRUE(has_line(text, "daemon:    not running (figures from the database)")) << text;
    EXPECT_TRUE(has_line(text, "model:     student (0123456789ab)")) << text;
    EXPECT_EQ(text.find("work:"), std::string::npos) << text;

    const std::string unreadable = format_status(report(nullptr, false));
    EXPECT_TRUE(has_line(unreadable, "tracks:    unknown (the index cannot be read; see problems)")) << unreadable;
}

// The meter itself: a rate over the recent busy stretch only (issue 18: "129 s left"
// for a batch that took 4 s, the daemon having idled before it).

using Clock = ThroughputMeter::Clock;
using std::chrono::seconds;

const Clock::time_point start{};

TEST(ThroughputMeter, IdleTimeBeforeABatchDoesNotCount) {
    // Ten tracks in the first minute, then an hour idle, then a new batch.
    ThroughputMeter meter;
    meter.observe(start + seconds(30), 5, true);
    meter.observe(start + seconds(40), 10, true);
    meter.observe(start + seconds(60), 10, false);
    meter.observe(start + seconds(3660), 10, true);
    EXPECT_FALSE(meter.tracks_per_second()) << "one request into the batch: nothing measured yet";
    meter.observe(start + seconds(3664), 18, true);
    ASSERT_TRUE(meter.tracks_per_second());
    EXPECT_DOUBLE_EQ(*meter.tracks_per_second(), 2.0);  // 8 tracks in 4 s, not 18 in 3664 s
}

TEST(ThroughputMeter, NothingUntilTwoRequestsFarEnoughApartSawATrackFinish) {
    ThroughputMeter meter;
    EXPECT_FALSE(meter.tracks_per_second());
    meter.observe(start, 0, true);
    EXPECT_FALSE(meter.tracks_per_second());
    meter.observe(start + seconds(1), 3, true);
    EXPECT_FALSE(meter.tracks_per_second()) << "1 s is too short to say";
    meter.observe(start + seconds(5), 3, true);
    ASSERT_TRUE(meter.tracks_per_second());
    EXPECT_DOUBLE_EQ(*meter.tracks_per_second(), 3.0 / 5.0);

    ThroughputMeter stuck;  // one long file: nothing finished, so no rate (not 0, not infinity)
    stuck.observe(start, 7, true);
    stuck.observe(start + seconds(20), 7, true);
    EXPECT_FALSE(stuck.tracks_per_second());
}

TEST(ThroughputMeter, AnUnobservedGapMayHideIdleTimeSoTheMeasureStartsOver) {
    ThroughputMeter meter;
    meter.observe(start, 0, true);
    meter.observe(start + seconds(10), 10, true);
    // 10 minutes without a request: the daemon may have idled in between.
    meter.observe(start + seconds(610), 11, true);
    EXPECT_FALSE(meter.tracks_per_second());
    meter.observe(start + seconds(614), 19, true);
    ASSERT_TRUE(meter.tracks_per_second());
    EXPECT_DOUBLE_EQ(*meter.tracks_per_second(), 2.0);
}

TEST(ThroughputMeter, TheRateIsTheRecentOne) {
    ThroughputMeter meter;
    // 1 track/s for five minutes, then 4 tracks/s: after two minutes of the
    // fast part the window holds only that.
    std::uint64_t completed = 0;
    for (int second = 0; second <= 300; second += 10) meter.observe(start + seconds(second), completed += 10, true);
    for (int second = 310; second <= 430; second += 10) meter.observe(start + seconds(second), completed += 40, true);
    ASSERT_TRUE(meter.tracks_per_second());
    EXPECT_DOUBLE_EQ(*meter.tracks_per_second(), 4.0);
}

TEST(ThroughputMeter, ARestartedCountStartsOver) {
    ThroughputMeter meter;
    meter.observe(start, 50, true);
    meter.observe(start + seconds(4), 2, true);  // a smaller total: not the same run
    EXPECT_FALSE(meter.tracks_per_second());
}

}  // namespace
}  // namespace vibed::daemon
