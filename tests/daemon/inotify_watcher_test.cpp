// LibraryWatcher on real folder trees with real inotify, driven by a real
// io_context. Each test changes the tree and runs the loop until the event
// it expects arrives (or a generous timeout says it never will).

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>

#include <boost/asio/io_context.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/service/library_scanner.hpp"
#include "daemon/watch/library_watcher.hpp"
#include "tests/daemon/daemon_test_util.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Kind = WatchEvent::Kind;
using test::LogCapture;
using test::ScratchDir;
using test::write_file;

// Only bounds a wait for an event that should come; never reached when all is well.
constexpr auto kEventTimeout = 5s;

std::string describe(const WatchEvent& event) {
    static constexpr const char* kNames[] = {"file_changed", "file_removed", "folder_added", "folder_removed",
                                             "moved",        "overflow",     "root_lost"};
    std::string text = std::string(kNames[static_cast<int>(event.kind)]) + " " + event.path.string();
    if (!event.from.empty()) text += " (from " + event.from.string() + ")";
    return text + (event.is_folder ? " [folder]" : "");
}

// Collects a watcher's events and runs the loop until a wanted one arrives.
class EventLog {
public:
    explicit EventLog(boost::asio::io_context& io) : io_(io) {}

    LibraryWatcher::Handler handler() {
        return [this](const WatchEvent& event) { events_.push_back(event); };
    }

    // Runs the loop until an event of `kind` about `path` arrives (returning
    // it) or the timeout passes (nullopt). Events before it are passed over.
    std::optional<WatchEvent> wait_for(Kind kind, const fs::path& path) {
        const auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
        for (;;) {
            while (next_ < events_.size()) {
                const WatchEvent& event = events_[next_++];
                if (event.kind == kind && event.path == path) return event;
            }
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline) return std::nullopt;
            io_.run_one_for(deadline - now);
        }
    }

    // Every event so far whose path or origin contains `text`.
    [[nodiscard]] std::vector<std::string> mentioning(const std::string& text) const {
        std::vector<std::string> found;
        for (const auto& event : events_) {
            if (event.path.string().find(text) != std::string::npos || event.from.string().find(text) != std::string::npos)
                found.push_back(describe(event));
        }
        return found;
    }

    [[nodiscard]] std::string all() const {
        std::string text;
        for (const auto& event : events_) text += describe(event) + "\n";
        return text.empty() ? "(no events)" : text;
    }

private:
    boost::asio::io_context& io_;
    std::vector<WatchEvent> events_;
    std::size_t next_ = 0;
};

bool excluded_by_test_config(const fs::path& path) { return is_excluded(path, {".*", "*.part"}); }

class LibraryWatcherTest : public ::testing::Test {
protected:
    // Builds the tree first (the watcher sees the rest), then watches it.
    void watch(const std::vector<std::string>& existing_files = {}) {
        for (const auto& file : existing_files) write_file(root_ / file);
        ASSERT_TRUE(watcher_.watch_root(root_.path()));
    }

    // Waits for an event of `kind` about `path`; fails the test (listing
    // every event seen) when it does not come.
    WatchEvent expect_event(Kind kind, const fs::path& path) {
        const auto event = log_.wait_for(kind, path);
        if (!event) {
            ADD_FAILURE() << "no " << describe({kind, path, {}, false}) << " event; got:\n" << log_.all();
            return {kind, {}, {}, false};
        }
        return *event;
    }

    // A file written after everything else: once its event is in, every
    // event caused before it has been delivered too (inotify keeps order).
    void drain_with_sentinel() {
        write_file(root_ / "sentinel.mp3");
        expect_event(Kind::file_changed, root_ / "sentinel.mp3");
    }

    ScratchDir root_;
    ScratchDir outside_;  // same file system, not watched
    boost::asio::io_context io_;
    EventLog log_{io_};
    LibraryWatcher watcher_{io_, log_.handler(), excluded_by_test_config};
};

TEST_F(LibraryWatcherTest, WatchesEveryFolderOfTheTree) {
    watch({"a.mp3", "Artist/Album/01.mp3", "Artist/Other/02.mp3"});
    EXPECT_EQ(watcher_.watch_count(), 4u);  // root, Artist, Album, Other
    EXPECT_FALSE(watcher_.limit_reached());
}

TEST_F(LibraryWatcherTest, AFileWrittenAndClosedIsChanged) {
    watch({"existing.mp3"});
    write_file(root_ / "new.mp3");
    expect_event(Kind::file_changed, root_ / "new.mp3");

    std::ofstream(root_ / "existing.mp3", std::ios::app) << "more bytes";  // close-after-write only
    expect_event(Kind::file_changed, root_ / "existing.mp3");
}

TEST_F(LibraryWatcherTest, ARenameWithinAFolderIsAMove) {
    watch({"Album/old name.mp3"});
    fs::rename(root_ / "Album/old name.mp3", root_ / "Album/new name.mp3");
    const auto event = expect_event(Kind::moved, root_ / "Album/new name.mp3");
    EXPECT_EQ(event.from, root_ / "Album/old name.mp3");
    EXPECT_FALSE(event.is_folder);
}

TEST_F(LibraryWatcherTest, AMoveBetweenFoldersIsAMove) {
    watch({"Inbox/song.mp3", "Sorted/.keep"});
    fs::rename(root_ / "Inbox/song.mp3", root_ / "Sorted/song.mp3");
    const auto event = expect_event(Kind::moved, root_ / "Sorted/song.mp3");
    EXPECT_EQ(event.from, root_ / "Inbox/song.mp3");
}

TEST_F(LibraryWatcherTest, AFolderRenameIsAMoveAndLaterEventsUseTheNewPath) {
    watch({"Old/a.mp3", "Old/Disc 2/b.mp3"});
    const auto watched = watcher_.watch_count();
    fs::rename(root_ / "Old", root_ / "New");
    const auto event = expect_event(Kind::moved, root_ / "New");
    EXPECT_EQ(event.from, root_ / "Old");
    EXPECT_TRUE(event.is_folder);
    EXPECT_EQ(watcher_.watch_count(), watched);

    write_file(root_ / "New/c.mp3");
    expect_event(Kind::file_changed, root_ / "New/c.mp3");
    write_file(root_ / "New/Disc 2/d.mp3");
    expect_event(Kind::file_changed, root_ / "New/Disc 2/d.mp3");
    fs::rename(root_ / "New/Disc 2/b.mp3", root_ / "New/Disc 2/e.mp3");
    EXPECT_EQ(expect_event(Kind::moved, root_ / "New/Disc 2/e.mp3").from, root_ / "New/Disc 2/b.mp3");
}

TEST_F(LibraryWatcherTest, AFolderMovedIntoAnotherKeepsBeingWatched) {
    watch({"Album/a.mp3", "Artist/.keep"});
    fs::rename(root_ / "Album", root_ / "Artist/Album");
    EXPECT_EQ(expect_event(Kind::moved, root_ / "Artist/Album").from, root_ / "Album");
    write_file(root_ / "Artist/Album/b.mp3");
    expect_event(Kind::file_changed, root_ / "Artist/Album/b.mp3");
}

TEST_F(LibraryWatcherTest, AFileMovedOutOfTheLibraryIsRemoved) {
    watch({"song.mp3"});
    fs::rename(root_ / "song.mp3", outside_ / "song.mp3");
    EXPECT_FALSE(expect_event(Kind::file_removed, root_ / "song.mp3").is_folder);
}

TEST_F(LibraryWatcherTest, AFolderMovedOutOfTheLibraryIsRemovedAndNoLongerWatched) {
    watch({"Album/a.mp3", "Album/Disc 2/b.mp3"});
    fs::rename(root_ / "Album", outside_ / "Album");
    EXPECT_TRUE(expect_event(Kind::folder_removed, root_ / "Album").is_folder);
    EXPECT_EQ(watcher_.watch_count(), 1u);

    write_file(outside_ / "Album/Disc 2/c.mp3");
    drain_with_sentinel();
    EXPECT_TRUE(log_.mentioning("c.mp3").empty()) << log_.all();
}

TEST_F(LibraryWatcherTest, AFileMovedInIsNewContent) {
    watch();
    write_file(outside_ / "download.mp3");
    fs::rename(outside_ / "download.mp3", root_ / "download.mp3");
    expect_event(Kind::file_changed, root_ / "download.mp3");
}

TEST_F(LibraryWatcherTest, AFolderMovedInIsAddedAndWatched) {
    watch();
    write_file(outside_ / "Album/Disc 1/a.mp3");
    fs::rename(outside_ / "Album", root_ / "Album");
    EXPECT_TRUE(expect_event(Kind::folder_added, root_ / "Album").is_folder);
    EXPECT_EQ(watcher_.watch_count(), 3u);
    write_file(root_ / "Album/Disc 1/b.mp3");
    expect_event(Kind::file_changed, root_ / "Album/Disc 1/b.mp3");
}

TEST_F(LibraryWatcherTest, ANewFolderIsWatched) {
    watch();
    fs::create_directory(root_ / "New Album");
    expect_event(Kind::folder_added, root_ / "New Album");
    write_file(root_ / "New Album/a.mp3");
    expect_event(Kind::file_changed, root_ / "New Album/a.mp3");
}

TEST_F(LibraryWatcherTest, NestedFoldersCreatedAtOnceAreAllWatched) {
    watch();
    // The inner folders may exist before the watcher hears of the outer one.
    fs::create_directories(root_ / "A/B/C");
    expect_event(Kind::folder_added, root_ / "A");
    write_file(root_ / "A/B/C/deep.mp3");
    expect_event(Kind::file_changed, root_ / "A/B/C/deep.mp3");
    EXPECT_EQ(watcher_.watch_count(), 4u);
}

TEST_F(LibraryWatcherTest, ADeletedFileIsRemoved) {
    watch({"song.mp3"});
    fs::remove(root_ / "song.mp3");
    EXPECT_FALSE(expect_event(Kind::file_removed, root_ / "song.mp3").is_folder);
}

TEST_F(LibraryWatcherTest, ADeletedFolderIsRemovedAndForgotten) {
    watch({"Album/a.mp3", "Album/Disc 2/b.mp3"});
    fs::remove_all(root_ / "Album");
    EXPECT_TRUE(expect_event(Kind::folder_removed, root_ / "Album").is_folder);
    EXPECT_EQ(watcher_.watch_count(), 1u);

    // Same name again: a new folder, watched afresh.
    fs::create_directory(root_ / "Album");
    expect_event(Kind::folder_added, root_ / "Album");
    write_file(root_ / "Album/c.mp3");
    expect_event(Kind::file_changed, root_ / "Album/c.mp3");
}

TEST_F(LibraryWatcherTest, ExcludedNamesAreNeitherReportedNorWatched) {
    watch({".hidden/old.mp3", "Album/a.mp3"});
    EXPECT_EQ(watcher_.watch_count(), 2u);  // root and Album

    write_file(root_ / ".hidden/new.mp3");
    write_file(root_ / ".dotfile.mp3");
    write_file(root_ / "Album/download.mp3.part");
    fs::create_directory(root_ / ".cache");
    write_file(root_ / ".cache/x.mp3");
    drain_with_sentinel();

    EXPECT_TRUE(log_.mentioning("hidden").empty()) << log_.all();
    EXPECT_TRUE(log_.mentioning(".dotfile").empty()) << log_.all();
    EXPECT_TRUE(log_.mentioning(".part").empty()) << log_.all();
    EXPECT_TRUE(log_.mentioning(".cache").empty()) << log_.all();
    EXPECT_EQ(watcher_.watch_count(), 2u);
}

TEST_F(LibraryWatcherTest, AFinishedDownloadRenamedToItsRealNameIsNew) {
    watch();
    write_file(root_ / "song.mp3.part");
    fs::rename(root_ / "song.mp3.part", root_ / "song.mp3");
    expect_event(Kind::file_changed, root_ / "song.mp3");
    EXPECT_TRUE(log_.mentioning(".part").empty()) << log_.all();
}

TEST_F(LibraryWatcherTest, AFileRenamedToAnExcludedNameIsRemoved) {
    watch({"song.mp3"});
    fs::rename(root_ / "song.mp3", root_ / "song.mp3.part");
    expect_event(Kind::file_removed, root_ / "song.mp3");
}

TEST_F(LibraryWatcherTest, AFolderHiddenByARenameIsRemovedAndUnwatched) {
    watch({"Album/a.mp3"});
    fs::rename(root_ / "Album", root_ / ".Album");
    expect_event(Kind::folder_removed, root_ / "Album");
    EXPECT_EQ(watcher_.watch_count(), 1u);
}

TEST_F(LibraryWatcherTest, AFolderUnhiddenByARenameIsAddedAndWatched) {
    watch({".incoming/Album/a.mp3"});
    fs::rename(root_ / ".incoming", root_ / "Incoming");
    expect_event(Kind::folder_added, root_ / "Incoming");
    write_file(root_ / "Incoming/Album/b.mp3");
    expect_event(Kind::file_changed, root_ / "Incoming/Album/b.mp3");
}

TEST_F(LibraryWatcherTest, ADeletedLibraryFolderIsLost) {
    watch({"Album/a.mp3"});
    fs::remove_all(root_.path());
    expect_event(Kind::root_lost, root_.path());
}

TEST_F(LibraryWatcherTest, ALibraryFolderMovedAwayIsLostAndItsWatchesDropped) {
    watch({"Album/a.mp3"});
    const fs::path moved_to = outside_ / "library moved away";
    fs::rename(root_.path(), moved_to);
    expect_event(Kind::root_lost, root_.path());
    EXPECT_EQ(watcher_.watch_count(), 0u);

    // Its old watches would report these under the old paths.
    write_file(moved_to / "Album/b.mp3");
    fs::rename(moved_to, root_.path());  // back again, but not watched until asked
    ASSERT_TRUE(watcher_.watch_root(root_.path()));
    drain_with_sentinel();
    EXPECT_TRUE(log_.mentioning("b.mp3").empty()) << log_.all();
    write_file(root_ / "Album/c.mp3");
    expect_event(Kind::file_changed, root_ / "Album/c.mp3");
}

TEST_F(LibraryWatcherTest, LostEventsAskForARescan) {
    watch({"a.mp3", "b.mp3"});
    // More events than the kernel queues for one reader (max_queued_events,
    // 16384 by default) while nobody reads. Each close after writing is one;
    // alternating files keeps the kernel from merging repeats.
    std::ifstream limit_file("/proc/sys/fs/inotify/max_queued_events");
    std::size_t max_queued = 16384;
    limit_file >> max_queued;
    for (std::size_t i = 0; i <= max_queued; ++i) std::ofstream(root_ / (i % 2 ? "a.mp3" : "b.mp3"), std::ios::app);
    expect_event(Kind::overflow, {});
}

// A buffer as read(2) fills it: records back to back, names NUL-padded.
void append_record(std::string& buffer, int watch, std::uint32_t mask, std::uint32_t cookie, const std::string& name,
                   std::size_t padded_length) {
    inotify_event header{};
    header.wd = watch;
    header.mask = mask;
    header.cookie = cookie;
    header.len = static_cast<std::uint32_t>(padded_length);
    buffer.append(reinterpret_cast<const char*>(&header), sizeof header);
    std::string padded = name;
    padded.resize(padded_length, '\0');
    buffer += padded;
}

TEST(InotifyDecode, SplitsRecordsAndStripsNamePadding) {
    std::string buffer;
    append_record(buffer, 3, IN_CREATE, 0, "song.mp3", 16);
    append_record(buffer, 4, IN_MOVED_FROM | IN_ISDIR, 77, "Album", 8);
    append_record(buffer, 5, IN_DELETE_SELF, 0, "", 0);
    std::vector<InotifyRecord> records;
    Inotify::decode(buffer, [&](const InotifyRecord& record) { records.push_back(record); });
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].watch, 3);
    EXPECT_EQ(records[0].name, "song.mp3");
    EXPECT_EQ(records[1].mask, static_cast<std::uint32_t>(IN_MOVED_FROM | IN_ISDIR));
    EXPECT_EQ(records[1].cookie, 77u);
    EXPECT_EQ(records[1].name, "Album");
    EXPECT_EQ(records[2].watch, 5);
    EXPECT_EQ(records[2].name, "");
}

TEST(InotifyDecode, IgnoresATruncatedRecord) {
    std::string buffer;
    append_record(buffer, 3, IN_CREATE, 0, "whole.mp3", 16);
    append_record(buffer, 4, IN_CREATE, 0, "cut short.mp3", 16);
    buffer.resize(buffer.size() - 5);
    std::vector<std::string> names;
    Inotify::decode(buffer, [&](const InotifyRecord& record) { names.push_back(record.name); });
    EXPECT_EQ(names, std::vector<std::string>{"whole.mp3"});
    names.clear();
    Inotify::decode(std::string_view(buffer).substr(0, sizeof(inotify_event) - 1),
                    [&](const InotifyRecord& record) { names.push_back(record.name); });
    EXPECT_TRUE(names.empty());
}

// ------------------------------------------ kernel limits and unmounts
// Both need powers the test process should not use on the machine it runs
// on, so they run in a child process inside its own user (and mount)
// namespace, where it is root of its own little world and nothing leaks.

// Makes the calling (single-threaded) process root in a new user namespace.
// Returns an empty string or the reason it could not.
std::string enter_own_user_namespace(int extra_namespaces) {
    const auto uid = getuid();
    const auto gid = getgid();
    if (unshare(CLONE_NEWUSER | extra_namespaces) != 0) return std::string("unshare: ") + std::strerror(errno);
    const auto write_proc = [](const char* file, const std::string& text) {
        std::ofstream out(file);
        return static_cast<bool>(out << text << std::flush);
    };
    if (!write_proc("/proc/self/setgroups", "deny") || !write_proc("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
        !write_proc("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1"))
        return "cannot write the namespace's id maps";
    return {};
}

TEST(LibraryWatcherLimits, TheWatchLimitStopsWatchingAndSaysSo) {
    ScratchDir root;
    for (const char* folder : {"a", "b", "c", "d", "e"}) fs::create_directory(root / folder);
    const std::string report = test::run_in_child([&] {
        if (auto problem = enter_own_user_namespace(0); !problem.empty()) return "skip: " + problem;
        // The per-namespace limit (fs.inotify.max_user_watches for this namespace only).
        if (!(std::ofstream("/proc/sys/user/max_inotify_watches") << 3 << std::flush))
            return std::string("skip: cannot lower /proc/sys/user/max_inotify_watches in a user namespace");
        LogCapture log;
        boost::asio::io_context io;
        LibraryWatcher watcher(io, [](const WatchEvent&) {}, excluded_by_test_config);
        const bool complete = watcher.watch_root(root.path());
        std::ostringstream out;
        out << "complete=" << complete << " limit=" << watcher.limit_reached() << " watches=" << watcher.watch_count()
            << "\n" << log.text();
        return out.str();
    });
    if (report.rfind("skip: ", 0) == 0) GTEST_SKIP() << report;
    EXPECT_EQ(report.rfind("complete=0 limit=1 watches=3\n", 0), 0u) << report;
    EXPECT_NE(report.find("watch limit reached"), std::string::npos) << report;
    EXPECT_NE(report.find("falling back to periodic rescans"), std::string::npos) << report;
}

TEST(LibraryWatcherLimits, AnUnmountedLibraryFolderIsLostOnce) {
    ScratchDir root;
    ScratchDir second_root;  // on the ordinary file system
    const std::string report = test::run_in_child([&] {
        if (auto problem = enter_own_user_namespace(CLONE_NEWNS); !problem.empty()) return "skip: " + problem;
        if (mount("vibed-test", root.path().c_str(), "tmpfs", 0, nullptr) != 0)
            return std::string("skip: cannot mount a tmpfs: ") + std::strerror(errno);
        fs::create_directories(root / "Artist/Album");
        boost::asio::io_context io;
        EventLog log(io);
        LibraryWatcher watcher(io, log.handler(), excluded_by_test_config);
        watcher.watch_root(root.path());
        watcher.watch_root(second_root.path());
        if (umount(root.path().c_str()) != 0) return std::string("skip: cannot unmount: ") + std::strerror(errno);
        // The unmount's events are queued before umount returns; once this
        // later one is in, every one of them has been handled.
        write_file(second_root / "sentinel.mp3");
        if (!log.wait_for(Kind::file_changed, second_root / "sentinel.mp3")) return "no sentinel event\n" + log.all();
        std::string about_root;
        for (const auto& line : log.mentioning(root.path().string())) about_root += line + "\n";
        return about_root;
    });
    if (report.rfind("skip: ", 0) == 0) GTEST_SKIP() << report;
    EXPECT_EQ(report, "root_lost " + root.path().string() + " [folder]\n");
}

TEST(LibraryWatcherLimits, ADiskUnmountedInsideTheLibraryIsLostOnce) {
    ScratchDir root;
    const fs::path mount_point = root / "External";
    fs::create_directory(mount_point);
    const std::string report = test::run_in_child([&] {
        if (auto problem = enter_own_user_namespace(CLONE_NEWNS); !problem.empty()) return "skip: " + problem;
        if (mount("vibed-test", mount_point.c_str(), "tmpfs", 0, nullptr) != 0)
            return std::string("skip: cannot mount a tmpfs: ") + std::strerror(errno);
        fs::create_directories(mount_point / "Artist/Album");
        boost::asio::io_context io;
        EventLog log(io);
        LibraryWatcher watcher(io, log.handler(), excluded_by_test_config);
        watcher.watch_root(root.path());
        if (umount(mount_point.c_str()) != 0) return std::string("skip: cannot unmount: ") + std::strerror(errno);
        // Written after the unmount's events: once it is in, they all are.
        write_file(root / "sentinel.mp3");
        if (!log.wait_for(Kind::file_changed, root / "sentinel.mp3")) return "no sentinel event\n" + log.all();
        std::string report = "watches=" + std::to_string(watcher.watch_count()) + "\n";
        for (const auto& line : log.mentioning(mount_point.string())) report += line + "\n";
        return report;
    });
    if (report.rfind("skip: ", 0) == 0) GTEST_SKIP() << report;
    // The root stays watched; the mount point is reported (the daemon polls it until the disk is back).
    EXPECT_EQ(report, "watches=1\nroot_lost " + mount_point.string() + " [folder]\n");
}

}  // namespace
}  // namespace vibed::daemon
