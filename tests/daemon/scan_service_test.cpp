// The library sync and the scan service on real folders and a real SQLite
// index: new and changed files are queued, known ones not; removed files are
// forgotten; files written within the settle time are reported as settling;
// an emptied or missing library folder is offline and keeps its tracks; and
// a whole-library scan asked for while one runs swallows the folder scans
// waiting beside it.

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "daemon/service/scan_service.hpp"
#include "tests/daemon/daemon_test_util.hpp"
#include "tests/db/test_support.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::ScratchDir;
using test::write_file;

// Sets a file's modification time `age` in the past, as a file copied in long ago.
void age(const fs::path& file, std::chrono::seconds by = 1h) {
    fs::last_write_time(file, fs::file_time_type::clock::now() - by);
}

class LibrarySyncTest : public ::testing::Test {
protected:
    LibrarySyncTest() {
        db::Index index = db::Index::open(database_);
        settings_.model_id = index.ensure_model("student", "aaaa");
        settings_.roots = {root_};
        writer_ = std::make_unique<IndexWriter>(std::move(index), settings_.model_id, problems_,
                                                [](std::size_t) {});
        fs::create_directories(root_);
    }

    SyncReport sync(const std::vector<fs::path>& folders) {
        return sync_folders(folders, settings_, *writer_, queue_, stop_);
    }

    // Hands out what was queued, in order, leaving the queue empty.
    std::vector<fs::path> drain() {
        std::vector<fs::path> files;
        while (queue_.size() > 0) files.push_back(*queue_.pop());
        return files;
    }

    // Stores a result for each file as analysed now, like the workers do.
    void analyse(const std::vector<fs::path>& files) {
        for (const auto& file : files) {
            core::TrackAnalysis analysis;
            analysis.attributes = db::testing::sample_attributes(0.4f);
            writer_->add(AnalysisOutcome{file, *util::stamp_of(file), analysis, {}, false});
        }
        ASSERT_TRUE(writer_->flush());
    }

    std::optional<db::FileState> state_of(const fs::path& path) {
        return db::Index::open_readonly(database_).file_state(path, settings_.model_id);
    }

    // Writes the library's first files and indexes them.
    void index_library(const std::vector<fs::path>& files) {
        for (const auto& file : files) {
            write_file(file);
            age(file);
        }
        const SyncReport first = sync(settings_.roots);
        ASSERT_EQ(first.queued, files.size());
        analyse(drain());
    }

    ScratchDir dir_;
    fs::path root_ = dir_ / "music";
    fs::path database_ = dir_ / "library.db";
    ProblemBoard problems_;
    ScanSettings settings_;
    std::unique_ptr<IndexWriter> writer_;
    WorkQueue queue_{1000};
    std::atomic<bool> stop_{false};
};

TEST_F(LibrarySyncTest, NewAndChangedFilesAreQueuedKnownOnesNot) {
    const fs::path a = root_ / "A/one.flac", b = root_ / "B/two.mp3";
    index_library({a, b});
    write_file(root_ / "B/notes.txt");  // not audio: never queued
    SyncReport again = sync({root_});
    EXPECT_EQ(again.files_seen, 2u);
    EXPECT_EQ(again.queued, 0u) << "a file analysed in this version was queued again";
    EXPECT_TRUE(drain().empty());

    write_file(b, "a longer new version of the song");
    age(b, 30min);
    const fs::path c = root_ / "B/three.ogg";
    write_file(c);
    age(c);
    const SyncReport changed = sync({root_});
    EXPECT_EQ(changed.queued, 2u);
    EXPECT_EQ(drain(), (std::vector<fs::path>{c, b}));  // in path order
    ASSERT_TRUE(state_of(c));
    EXPECT_EQ(state_of(c)->status, db::TrackStatus::pending) << "queued before the index knew it";
}

TEST_F(LibrarySyncTest, ARemovedFileIsForgotten) {
    const fs::path keep = root_ / "keep.flac", gone = root_ / "sub/gone.flac";
    index_library({keep, gone});
    fs::remove(gone);
    const SyncReport report = sync({root_});
    EXPECT_EQ(report.removed, 1u);
    EXPECT_FALSE(state_of(gone)) << "a removed file is still in the index";
    ASSERT_TRUE(state_of(keep));
    EXPECT_EQ(state_of(keep)->status, db::TrackStatus::ok);
    EXPECT_TRUE(report.offline.empty());
}

TEST_F(LibrarySyncTest, AFileWrittenWithinTheSettleTimeIsSettlingNotQueued) {
    settings_.settle = 60s;
    const fs::path fresh = root_ / "copying.flac", old = root_ / "old.flac";
    write_file(fresh);
    write_file(old);
    age(old, 2min);
    const SyncReport report = sync({root_});
    EXPECT_EQ(report.settling, std::vector<fs::path>{fresh});
    EXPECT_EQ(report.queued, 1u);
    EXPECT_EQ(drain(), std::vector<fs::path>{old});
    EXPECT_FALSE(state_of(fresh)) << "a settling file was marked for analysis";
    analyse({old});

    age(fresh, 61s);
    const SyncReport later = sync({root_});
    EXPECT_TRUE(later.settling.empty());
    EXPECT_EQ(drain(), std::vector<fs::path>{fresh});
}

TEST_F(LibrarySyncTest, AnEmptiedOrMissingRootIsOfflineAndKeepsItsTracks) {
    const fs::path a = root_ / "a.flac", b = root_ / "deep/b.flac";
    index_library({a, b});
    fs::remove(a);
    fs::remove_all(root_ / "deep");  // an unmounted disk leaves an empty mount point
    const SyncReport empty = sync({root_});
    EXPECT_EQ(empty.offline, std::vector<fs::path>{root_});
    EXPECT_EQ(empty.removed, 0u);
    EXPECT_TRUE(state_of(a));
    EXPECT_TRUE(state_of(b));

    fs::remove(root_);
    const SyncReport missing = sync({root_});
    EXPECT_EQ(missing.offline, std::vector<fs::path>{root_});
    EXPECT_TRUE(state_of(a));
    EXPECT_TRUE(state_of(b));
}

TEST_F(LibrarySyncTest, AnEmptiedSubfolderIsNotOfflineItsTracksAreGone) {
    const fs::path a = root_ / "a.flac", b = root_ / "album/b.flac";
    index_library({a, b});
    fs::remove(b);
    const SyncReport report = sync({root_ / "album"});
    EXPECT_TRUE(report.offline.empty());
    EXPECT_EQ(report.removed, 1u);
    EXPECT_FALSE(state_of(b));
    EXPECT_TRUE(state_of(a));
}

TEST_F(LibrarySyncTest, TracksOutsideEveryRootAreForgotten) {
    const fs::path inside = root_ / "a.flac", elsewhere = dir_ / "old-library/b.flac";
    settings_.roots = {root_, dir_ / "old-library"};
    index_library({inside, elsewhere});
    settings_.roots = {root_};  // the folder was taken out of library.paths
    const SyncReport report = sync({root_});
    EXPECT_EQ(report.removed, 1u);
    EXPECT_FALSE(state_of(elsewhere));
    EXPECT_TRUE(fs::exists(elsewhere)) << "a file the user owns was touched";
    EXPECT_TRUE(state_of(inside));
}

// Records each finished scan, on the scan thread.
class RecordingListener final : public ScanListener {
public:
    void on_scan_finished(const std::optional<fs::path>& folder, const SyncReport& report) override {
        std::lock_guard lock(mutex_);
        scans_.push_back(folder);
        (void)report;
    }
    std::vector<std::optional<fs::path>> scans() const {
        std::lock_guard lock(mutex_);
        return scans_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::optional<fs::path>> scans_;
};

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

TEST_F(LibrarySyncTest, AWholeLibraryScanSwallowsTheFolderScansWaitingBesideIt) {
    for (const char* name : {"a", "b", "c"}) {
        write_file(root_ / "first" / (std::string(name) + ".flac"));
        age(root_ / "first" / (std::string(name) + ".flac"));
    }
    WorkQueue narrow(1);  // the first scan waits for room after one file
    RecordingListener listener;
    ScanService service(*writer_, narrow, problems_, listener);
    settings_.settle = 0s;
    service.set_settings(settings_);
    service.start();
    service.request(root_ / "first");
    ASSERT_TRUE(wait_until([&] { return service.scanning() && narrow.size() == 1; }));
    service.request(root_ / "one");
    service.request(root_ / "two");
    service.request(std::nullopt);
    service.request(root_ / "three");  // after the whole library: still its own scan
    EXPECT_FALSE(service.idle());

    std::jthread worker([&] {  // an analysis worker making room
        while (narrow.pop()) {
        }
    });
    ASSERT_TRUE(wait_until([&] { return service.idle(); }));
    EXPECT_EQ(listener.scans(), (std::vector<std::optional<fs::path>>{root_ / "first", std::nullopt, root_ / "three"}));
    EXPECT_EQ(service.scans_completed(), 3u);
    EXPECT_FALSE(problems_.has("scan"));
    service.stop();  // closes the queue: the worker ends
}

}  // namespace
}  // namespace vibed::daemon
