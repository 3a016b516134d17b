// scan_folder on real folder trees (audio files only, exclude globs,
// symlinks, loops, unreadable and missing folders) and the component-wise
// path arithmetic of path_tree.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "daemon/service/library_scanner.hpp"
#include "core/util/path_tree.hpp"
#include "tests/daemon/daemon_test_util.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;
using test::LogCapture;
using test::ScratchDir;
using test::write_file;

std::vector<fs::path> paths_of(const ScanResult& result) {
    std::vector<fs::path> paths;
    for (const auto& file : result.files) paths.push_back(file.path);
    return paths;
}

std::size_t count_named(const ScanResult& result, const std::string& name) {
    return static_cast<std::size_t>(std::count_if(result.files.begin(), result.files.end(),
                                                  [&](const ScannedFile& file) { return file.path.filename() == name; }));
}

// ------------------------------------------------------------- scan_folder

TEST(ScanFolder, ListsAudioFilesOnlySortedAndStamped) {
    ScratchDir library;
    write_file(library / "b.flac", "flac bytes");
    write_file(library / "a.MP3", "mp3");
    write_file(library / "Album/01 Song.ogg", "ogg bytes, longer");
    write_file(library / "Album/cover.jpg");
    write_file(library / "notes.txt");
    write_file(library / "no_extension");
    fs::create_directories(library / "Empty");

    const ScanResult result = scan_folder(library.path(), {});

    EXPECT_FALSE(result.folder_missing);
    const std::vector<fs::path> expected{library / "Album/01 Song.ogg", library / "a.MP3", library / "b.flac"};
    EXPECT_EQ(paths_of(result), expected);
    for (const auto& file : result.files) {
        EXPECT_EQ(file.stamp, util::stamp_of(file.path)) << file.path;
        EXPECT_EQ(file.stamp.size, static_cast<std::int64_t>(fs::file_size(file.path))) << file.path;
    }
}

TEST(ScanFolder, SkipsExcludedFilesAndFolders) {
    ScratchDir library;
    write_file(library / "kept.mp3");
    write_file(library / ".hidden/secret.mp3");
    write_file(library / ".also-hidden.mp3");
    write_file(library / "download.mp3.part");
    write_file(library / "Podcasts/episode.mp3");
    write_file(library / "Music/Podcasts/deep.mp3");  // excluded by name at any depth
    write_file(library / "Music/song.mp3");

    const ScanResult result = scan_folder(library.path(), {{".*", "*.part", "Podcasts"}, true});

    const std::vector<fs::path> expected{library / "Music/song.mp3", library / "kept.mp3"};
    EXPECT_EQ(paths_of(result), expected);
}

TEST(ScanFolder, ExcludeGlobsMatchNamesNotPaths) {
    EXPECT_TRUE(is_excluded("/music/.git", {".*"}));
    EXPECT_TRUE(is_excluded("/music/a.mp3.part", {"*.part"}));
    EXPECT_FALSE(is_excluded("/music/.hidden/a.mp3", {".*"}));
    EXPECT_FALSE(is_excluded("/music/a.mp3", {}));
    EXPECT_FALSE(is_excluded("/music/Podcasts2", {"Podcasts"}));
}

TEST(ScanFolder, FollowsASymlinkedFolderOutsideTheLibrary) {
    ScratchDir library;
    ScratchDir elsewhere;
    write_file(elsewhere / "other.mp3");
    fs::create_directory_symlink(elsewhere.path(), library / "linked");

    EXPECT_EQ(paths_of(scan_folder(library.path(), {{}, true})), std::vector<fs::path>{library / "linked/other.mp3"});
    EXPECT_TRUE(scan_folder(library.path(), {{}, false}).files.empty());
}

TEST(ScanFolder, FollowsSymlinkedFilesOnlyWhenAllowed) {
    ScratchDir library;
    ScratchDir elsewhere;
    write_file(elsewhere / "real.mp3", "some bytes");
    fs::create_symlink(elsewhere / "real.mp3", library / "link.mp3");
    fs::create_symlink(elsewhere / "missing.mp3", library / "dangling.mp3");

    const ScanResult followed = scan_folder(library.path(), {{}, true});
    ASSERT_EQ(paths_of(followed), std::vector<fs::path>{library / "link.mp3"});
    EXPECT_EQ(followed.files[0].stamp, util::stamp_of(elsewhere / "real.mp3"));  // the target's stamp
    EXPECT_TRUE(scan_folder(library.path(), {{}, false}).files.empty());
}

TEST(ScanFolder, AFolderReachableTwiceIsScannedOnce) {
    ScratchDir library;
    write_file(library / "Real/song.mp3");
    fs::create_directory_symlink(library / "Real", library / "Alias");
    LogCapture log;

    const ScanResult result = scan_folder(library.path(), {{}, true});
    EXPECT_EQ(count_named(result, "song.mp3"), 1u);
    EXPECT_NE(log.text().find("already scanned through another path"), std::string::npos) << log.text();
}

TEST(ScanFolder, SurvivesASymlinkLoop) {
    ScratchDir library;
    write_file(library / "Artist/song.mp3");
    fs::create_directory_symlink(library.path(), library / "Artist/back to the top");
    fs::create_directory_symlink(library / "Artist", library / "Artist/self");
    LogCapture log;

    const ScanResult result = scan_folder(library.path(), {{}, true});

    EXPECT_EQ(paths_of(result), std::vector<fs::path>{library / "Artist/song.mp3"});
    EXPECT_NE(log.text().find("symlink loop"), std::string::npos) << log.text();
}

TEST(ScanFolder, ReportsAMissingFolder) {
    ScratchDir dir;
    const ScanResult missing = scan_folder(dir / "unmounted", {});
    EXPECT_TRUE(missing.folder_missing);
    EXPECT_TRUE(missing.files.empty());

    write_file(dir / "a-file.mp3");
    EXPECT_TRUE(scan_folder(dir / "a-file.mp3", {}).folder_missing);

    EXPECT_FALSE(scan_folder(dir.path(), {}).folder_missing);  // present, even if nothing is in it yet
}

// scan_folder run by user nobody, so that permission bits apply (the tests
// run as root, which ignores them). Returns "missing" or "present", then one
// found path per line, then "log:" and the log lines.
std::string scan_as_nobody(const fs::path& folder) {
    return test::run_in_child([&] {
        if (setgid(65534) != 0 || setuid(65534) != 0) return std::string("cannot drop root");
        LogCapture log;
        const ScanResult result = scan_folder(folder, {});
        std::string report = result.folder_missing ? "missing\n" : "present\n";
        for (const auto& file : result.files) report += file.path.string() + "\n";
        return report + "log:\n" + log.text();
    });
}

class UnreadableFolders : public ::testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root to switch to user nobody; as a user, chmod 000 works directly";
        fs::permissions(library_.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec |
                                             fs::perms::group_read | fs::perms::others_read);
        write_file(library_ / "Open/song.mp3");
        write_file(library_ / "Locked/hidden.mp3");
        fs::permissions(library_ / "Locked", fs::perms::none);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::permissions(library_ / "Locked", fs::perms::owner_all, ignored);
    }
    ScratchDir library_;
};

TEST_F(UnreadableFolders, AreSkippedWithALogLine) {
    const std::string report = scan_as_nobody(library_.path());
    EXPECT_EQ(report.rfind("present\n" + (library_ / "Open/song.mp3").string() + "\nlog:\n", 0), 0u) << report;
    EXPECT_EQ(report.find("hidden.mp3"), std::string::npos) << report;
    EXPECT_NE(report.find((library_ / "Locked").string() + ": cannot list folder"), std::string::npos) << report;
}

TEST_F(UnreadableFolders, AnUnreadableLibraryFolderCountsAsMissing) {
    // Reporting it as present but empty would tell the caller every track in it was deleted.
    const std::string report = scan_as_nobody(library_ / "Locked");
    EXPECT_EQ(report.rfind("missing\nlog:\n", 0), 0u) << report;
}

// --------------------------------------------------------------- path_tree

TEST(PathTree, IsAtOrUnderComparesWholeComponents) {
    EXPECT_TRUE(util::is_at_or_under("/music/rock", "/music/rock"));
    EXPECT_TRUE(util::is_at_or_under("/music/rock/a.mp3", "/music/rock"));
    EXPECT_TRUE(util::is_at_or_under("/music/rock/deep/a.mp3", "/music"));
    EXPECT_TRUE(util::is_at_or_under("/music/rock", "/"));
    EXPECT_FALSE(util::is_at_or_under("/music/rockabilly", "/music/rock"));
    EXPECT_FALSE(util::is_at_or_under("/music/rockabilly/a.mp3", "/music/rock"));
    EXPECT_FALSE(util::is_at_or_under("/music", "/music/rock"));
    EXPECT_FALSE(util::is_at_or_under("/other/rock", "/music/rock"));
}

TEST(PathTree, AFolderWithATrailingSlashIsTheSameFolder) {
    // `vibectl scan ~/Music/rock/` sends the folder as typed.
    EXPECT_TRUE(util::is_at_or_under("/music/rock/a.mp3", "/music/rock/"));
    EXPECT_TRUE(util::is_at_or_under("/music/rock", "/music/rock/"));
    EXPECT_FALSE(util::is_at_or_under("/music/rockabilly/a.mp3", "/music/rock/"));
    EXPECT_EQ(util::rebase("/music/rock/a.mp3", "/music/rock/", "/music/metal"), fs::path("/music/metal/a.mp3"));
}

TEST(PathTree, RebaseMovesThePathWithItsFolder) {
    EXPECT_EQ(util::rebase("/music/rock/a.mp3", "/music/rock", "/music/metal"), fs::path("/music/metal/a.mp3"));
    EXPECT_EQ(util::rebase("/music/rock/x/y/a.mp3", "/music/rock", "/archive/old rock"),
              fs::path("/archive/old rock/x/y/a.mp3"));
    EXPECT_EQ(util::rebase("/music/rock", "/music/rock", "/music/metal"), fs::path("/music/metal"));
    EXPECT_EQ(util::rebase("/music/a.mp3", "/music/a.mp3", "/music/b.mp3"), fs::path("/music/b.mp3"));
}

}  // namespace
}  // namespace vibed::daemon
