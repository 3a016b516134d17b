// M3U output on a real file system: path styles, atomic replacement, safe
// names, the manifest, and the errors users will meet.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "playlist/m3u/atomic_file.hpp"
#include "playlist/m3u/m3u_writer.hpp"
#include "tests/db/test_support.hpp"

namespace fs = std::filesystem;

namespace vibed::playlist {
namespace {

db::LibraryRow track(const fs::path& path, const std::string& artist, const std::string& title, double seconds) {
    db::LibraryRow row;
    row.path = path;
    row.tags.artist = artist;
    row.tags.title = title;
    row.tags.duration_seconds = seconds;
    return row;
}

std::string read(const fs::path& path) { return read_file_if_exists(path).value_or("<missing>"); }

ino_t inode_of(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_ino;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class M3uWriter : public ::testing::Test {
protected:
    fs::path music() const { return scratch_.path() / "music"; }
    fs::path playlists() const { return scratch_.path() / "playlists"; }

    OutputTarget target(PathStyle style, const std::string& extension = ".m3u") const {
        return OutputTarget{playlists(), extension, style, music()};
    }

    std::vector<db::LibraryRow> two_tracks() const {
        return {track(music() / "Miles Davis/Kind of Blue/So What.mp3", "Miles Davis", "So What", 562.4),
                track(music() / "Björk/Jóga.flac", "Björk", "Jóga", 305.6)};
    }

    std::vector<fs::path> files_in(const fs::path& folder) const {
        std::vector<fs::path> names;
        for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename());
        std::sort(names.begin(), names.end());
        return names;
    }

    db::testing::ScratchDir scratch_;
};

TEST_F(M3uWriter, AbsolutePaths) {
    const WriteResult result = write_playlist(target(PathStyle::Absolute), "Morning Mix", two_tracks());
    EXPECT_EQ(result.path, fs::canonical(playlists()) / "morning-mix.m3u");
    EXPECT_TRUE(result.changed);
    EXPECT_TRUE(result.warnings.empty());
    EXPECT_EQ(read(result.path), "#EXTM3U\n#PLAYLIST:Morning Mix\n"
                                 "#EXTINF:562,Miles Davis - So What\n" +
                                     (music() / "Miles Davis/Kind of Blue/So What.mp3").string() + "\n" +
                                     "#EXTINF:306,Björk - Jóga\n" + (music() / "Björk/Jóga.flac").string() + "\n");
}

TEST_F(M3uWriter, PathsRelativeToThePlaylistFile) {
    const WriteResult result =
        write_playlist(target(PathStyle::RelativeToPlaylist, ".m3u8"), "Driving Vibes", two_tracks());
    EXPECT_EQ(result.path.filename(), "driving-vibes.m3u8");
    const std::string text = read(result.path);
    EXPECT_TRUE(contains(text, "\n../music/Miles Davis/Kind of Blue/So What.mp3\n")) << text;
    EXPECT_TRUE(contains(text, "\n../music/Björk/Jóga.flac\n")) << text;
    // Each relative entry resolves to the track from the playlist's folder.
    EXPECT_TRUE(fs::path(playlists() / "../music/Björk/Jóga.flac").lexically_normal() ==
                (music() / "Björk/Jóga.flac").lexically_normal());
}

TEST_F(M3uWriter, PathsRelativeToTheLibraryRootSkipOutsiders) {
    auto tracks = two_tracks();
    tracks.push_back(track(scratch_.path() / "elsewhere/x.mp3", "A", "X", 10));
    tracks.push_back(track(music() / "#1 Hits/y.mp3", "B", "Y", 10));
    const WriteResult result = write_playlist(target(PathStyle::RelativeToLibraryRoot), "Focus", tracks);
    const std::string text = read(result.path);
    EXPECT_TRUE(contains(text, "\nMiles Davis/Kind of Blue/So What.mp3\n")) << text;
    EXPECT_TRUE(contains(text, "\nBjörk/Jóga.flac\n")) << text;
    EXPECT_FALSE(contains(text, "x.mp3")) << text;
    EXPECT_FALSE(contains(text, "y.mp3")) << text;
    ASSERT_EQ(result.warnings.size(), 2u);
    EXPECT_TRUE(contains(result.warnings[0], "outside the library root")) << result.warnings[0];
    EXPECT_TRUE(contains(result.warnings[1], "#1 Hits")) << result.warnings[1];
}

TEST_F(M3uWriter, RelativeEntryStartingWithHashIsNotAComment) {
    const auto tracks = {track(playlists() / "#1.mp3", "A", "B", 1)};
    const WriteResult result = write_playlist(target(PathStyle::RelativeToPlaylist), "Hash", tracks);
    EXPECT_TRUE(contains(read(result.path), "\n./#1.mp3\n"));
}

TEST_F(M3uWriter, ExtinfFallsBackAndStaysOnOneLine) {
    const std::vector<db::LibraryRow> tracks = {
        track(music() / "untagged track.mp3", "", "", 0),
        track(music() / "b.mp3", "", "Only Title", 59.5),
        track(music() / "c.mp3", "Evil\nArtist", "Title\r#EXTINF:1,x", 1),
    };
    std::vector<std::string> warnings;
    const std::string text = render_m3u(target(PathStyle::Absolute), "Bad\nName", tracks, warnings);
    EXPECT_TRUE(contains(text, "#PLAYLIST:Bad Name\n")) << text;
    EXPECT_TRUE(contains(text, "#EXTINF:-1,untagged track\n")) << text;
    EXPECT_TRUE(contains(text, "#EXTINF:60,Only Title\n")) << text;
    EXPECT_TRUE(contains(text, "#EXTINF:1,Evil Artist - Title #EXTINF:1,x\n")) << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2 + 2 * 3);
    EXPECT_TRUE(warnings.empty());
}

TEST_F(M3uWriter, PathsThatWouldBreakTheFileAreSkippedWithAWarning) {
    const std::vector<db::LibraryRow> tracks = {
        track(music() / "line\nbreak.mp3", "A", "1", 1),
        track(music() / "carriage\rreturn.mp3", "A", "2", 1),
        track(music() / "latin1-\xE9.mp3", "A", "3", 1),
        track(music() / "fine.mp3", "A", "4", 1),
    };
    const WriteResult result = write_playlist(target(PathStyle::Absolute), "Mixed", tracks);
    const std::string text = read(result.path);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2 + 2);
    EXPECT_TRUE(contains(text, "fine.mp3"));
    ASSERT_EQ(result.warnings.size(), 3u);
    EXPECT_TRUE(contains(result.warnings[0], "line break"));
    EXPECT_TRUE(contains(result.warnings[2], "UTF-8"));
    for (const std::string& warning : result.warnings) EXPECT_EQ(warning.find('\n'), std::string::npos);
}

TEST_F(M3uWriter, UnchangedContentIsNotRewritten) {
    const WriteResult first = write_playlist(target(PathStyle::Absolute), "Chill", two_tracks());
    const auto old_time = fs::file_time_type::clock::now() - std::chrono::hours(24);
    fs::last_write_time(first.path, old_time);
    const ino_t inode = inode_of(first.path);

    const WriteResult again = write_playlist(target(PathStyle::Absolute), "Chill", two_tracks());
    EXPECT_FALSE(again.changed);
    EXPECT_EQ(fs::last_write_time(first.path), old_time);
    EXPECT_EQ(inode_of(first.path), inode);

    auto fewer = two_tracks();
    fewer.pop_back();
    const WriteResult changed = write_playlist(target(PathStyle::Absolute), "Chill", fewer);
    EXPECT_TRUE(changed.changed);
    EXPECT_FALSE(contains(read(first.path), "Jóga"));
    // Replaced by rename, not rewritten in place: a reader holding the old
    // file never sees a half-written one.
    EXPECT_NE(inode_of(first.path), inode);
}

TEST_F(M3uWriter, NoTemporaryFilesAreLeftBehind) {
    write_playlist(target(PathStyle::Absolute), "One", two_tracks());
    write_playlist(target(PathStyle::Absolute), "One", {});
    write_playlist(target(PathStyle::Absolute), "Two", two_tracks());
    EXPECT_EQ(files_in(playlists()), (std::vector<fs::path>{".vibed-playlists", "one.m3u", "two.m3u"}));
}

TEST_F(M3uWriter, FileNamesAreSafeSlugs) {
    EXPECT_EQ(playlist_file_stem("Driving Vibes"), "driving-vibes");
    EXPECT_EQ(playlist_file_stem("../../x"), "x");
    EXPECT_EQ(playlist_file_stem("/etc/passwd"), "etc-passwd");
    EXPECT_EQ(playlist_file_stem("  Café del Mar!! "), "café-del-mar");
    EXPECT_EQ(playlist_file_stem(".hidden"), "hidden");
    EXPECT_LE(playlist_file_stem(std::string(500, 'a')).size(), 100u);
    EXPECT_LE(playlist_file_stem(std::string(300, 'a') + "é").size(), 100u);
    for (const char* unusable : {"", "..", "/", "../..", "!!!", "\xFF\xFE"}) {
        EXPECT_THROW(playlist_file_stem(unusable), std::invalid_argument) << unusable;
    }
}

TEST_F(M3uWriter, HostileNamesStayInsideTheFolder) {
    const WriteResult result = write_playlist(target(PathStyle::Absolute), "../../x", two_tracks());
    EXPECT_EQ(result.path, fs::canonical(playlists()) / "x.m3u");
    EXPECT_FALSE(fs::exists(scratch_.path() / "x.m3u"));
    EXPECT_THROW(write_playlist(target(PathStyle::Absolute), "../..", two_tracks()), std::invalid_argument);
    EXPECT_THROW(write_playlist(target(PathStyle::Absolute, ".txt"), "ok", two_tracks()), std::invalid_argument);
}

TEST_F(M3uWriter, RefusesToOverwriteAFileItDidNotWrite) {
    fs::create_directories(playlists());
    std::ofstream(playlists() / "chill.m3u") << "my own list\n";
    EXPECT_THROW(write_playlist(target(PathStyle::Absolute), "Chill", two_tracks()), std::runtime_error);
    EXPECT_EQ(read(playlists() / "chill.m3u"), "my own list\n");
}

TEST_F(M3uWriter, StalePlaylistsAreRemovedOnlyIfVibedWroteThem) {
    write_playlist(target(PathStyle::Absolute), "Keep", two_tracks());
    write_playlist(target(PathStyle::Absolute), "Drop", two_tracks());
    write_playlist(target(PathStyle::Absolute, ".m3u8"), "Other Target", two_tracks());
    std::ofstream(playlists() / "mine.m3u") << "user's\n";
    std::ofstream(scratch_.path() / "outside.m3u") << "outside\n";
    // A tampered manifest must not lead vibed out of its folder.
    std::ofstream(playlists() / ".vibed-playlists", std::ios::app) << "../outside.m3u\n/etc/hostname.m3u\n";

    const auto removed = remove_stale_playlists(target(PathStyle::Absolute), {"Keep"});
    EXPECT_EQ(removed, std::vector<fs::path>{fs::canonical(playlists()) / "drop.m3u"});
    EXPECT_EQ(files_in(playlists()),
              (std::vector<fs::path>{".vibed-playlists", "keep.m3u", "mine.m3u", "other-target.m3u8"}));
    EXPECT_EQ(read(scratch_.path() / "outside.m3u"), "outside\n");
    const std::string manifest = read(playlists() / ".vibed-playlists");
    EXPECT_FALSE(contains(manifest, "drop.m3u"));
    EXPECT_FALSE(contains(manifest, "outside"));
    EXPECT_TRUE(contains(manifest, "other-target.m3u8"));

    // Once forgotten, a name is free for the user: vibed no longer owns it.
    EXPECT_TRUE(remove_stale_playlists(target(PathStyle::Absolute), {"Keep"}).empty());
}

TEST_F(M3uWriter, RemovingFromAMissingFolderIsANoOp) {
    EXPECT_TRUE(remove_stale_playlists(target(PathStyle::Absolute), {}).empty());
    EXPECT_FALSE(fs::exists(playlists()));
}

TEST_F(M3uWriter, AFolderThatCannotBeCreatedIsNamedInTheError) {
    std::ofstream(scratch_.path() / "a-file") << "x";
    const OutputTarget blocked{scratch_.path() / "a-file" / "playlists", ".m3u", PathStyle::Absolute, music()};
    try {
        write_playlist(blocked, "Chill", two_tracks());
        FAIL() << "expected an error";
    } catch (const std::runtime_error& error) {
        EXPECT_TRUE(contains(error.what(), (scratch_.path() / "a-file" / "playlists").string())) << error.what();
    }
}

TEST_F(M3uWriter, AReadOnlyFolderIsNamedInTheError) {
    if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only folders";
    fs::create_directories(playlists());
    fs::permissions(playlists(), fs::perms::owner_read | fs::perms::owner_exec);
    try {
        write_playlist(target(PathStyle::Absolute), "Chill", two_tracks());
        ADD_FAILURE() << "expected an error";
    } catch (const std::runtime_error& error) {
        EXPECT_TRUE(contains(error.what(), playlists().string())) << error.what();
        EXPECT_TRUE(contains(error.what(), "ermission")) << error.what();
    }
    fs::permissions(playlists(), fs::perms::owner_all);
    EXPECT_EQ(files_in(playlists()), std::vector<fs::path>{});
}

}  // namespace
}  // namespace vibed::playlist
