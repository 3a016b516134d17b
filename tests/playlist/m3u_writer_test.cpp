// M3U output on a real file system: path styles, atomic replacement, safe
// names, the manifest, and the errors users will meet.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "core/util/atomic_file.hpp"
#include "core/util/path_tree.hpp"
#include "playlist/m3u/m3u_writer.hpp"
#include "playlist/query/text.hpp"
#include "tests/db/test_support.hpp"

namespace fs = std::filesystem;

namespace vibed::playlist {
namespace {

core::LibraryRow track(const fs::path& path, const std::string& artist, const std::string& title, double seconds) {
    core::LibraryRow row;
    row.path = path;
    row.tags.artist = artist;
    row.tags.title = title;
    row.tags.duration_seconds = seconds;
    return row;
}

std::string read(const fs::path& path) { return util::read_file_if_exists(path).value_or("<missing>"); }

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
        OutputTarget output;
        output.folder = playlists();
        output.extension = extension;
        output.path_style = style;
        return output;
    }

    std::vector<fs::path> roots() const { return {music()}; }

    WriteResult write(const OutputTarget& output, std::string_view name, const std::vector<core::LibraryRow>& tracks) const {
        return write_playlist(output, roots(), name, tracks);
    }

    std::vector<core::LibraryRow> two_tracks() const {
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
    const WriteResult result = write(target(PathStyle::absolute), "Morning Mix", two_tracks());
    EXPECT_EQ(result.path, fs::canonical(playlists()) / "Morning Mix.m3u");
    EXPECT_TRUE(result.changed);
    EXPECT_TRUE(result.warnings.empty());
    EXPECT_EQ(read(result.path), "#EXTM3U\n#PLAYLIST:Morning Mix\n"
                                 "#EXTINF:562,Miles Davis - So What\n" +
                                     (music() / "Miles Davis/Kind of Blue/So What.mp3").string() + "\n" +
                                     "#EXTINF:306,Björk - Jóga\n" + (music() / "Björk/Jóga.flac").string() + "\n");
}

// MPD shows an #EXTINF title as the song's Name beside its own tags
// ("Miles Davis - So What: Miles Davis - So What"): its playlists get the length only.
TEST_F(M3uWriter, MpdsPlaylistsHaveNoExtinfTitle) {
    OutputTarget mpd = target(PathStyle::relative_to_library);
    mpd.relative_to = music();
    mpd.from_mpd = true;
    const WriteResult result = write(mpd, "Morning Mix", two_tracks());
    EXPECT_EQ(read(result.path), "#EXTM3U\n#PLAYLIST:Morning Mix\n"
                                 "#EXTINF:562,\nMiles Davis/Kind of Blue/So What.mp3\n"
                                 "#EXTINF:306,\nBjörk/Jóga.flac\n");
}

TEST_F(M3uWriter, PathsRelativeToThePlaylistFile) {
    const WriteResult result =
        write(target(PathStyle::relative_to_playlist, ".m3u8"), "Driving Vibes", two_tracks());
    EXPECT_EQ(result.path.filename(), "Driving Vibes.m3u8");
    const std::string text = read(result.path);
    EXPECT_TRUE(contains(text, "\n../music/Miles Davis/Kind of Blue/So What.mp3\n")) << text;
    EXPECT_TRUE(contains(text, "\n../music/Björk/Jóga.flac\n")) << text;
    // Each relative entry resolves to the track from the playlist's folder.
    EXPECT_TRUE(fs::path(playlists() / "../music/Björk/Jóga.flac").lexically_normal() ==
                (music() / "Björk/Jóga.flac").lexically_normal());
}

TEST_F(M3uWriter, PathsRelativeToTheLibraryFolderSkipOutsidersWithOneWarning) {
    auto tracks = two_tracks();
    tracks.push_back(track(scratch_.path() / "elsewhere/x.mp3", "A", "X", 10));
    tracks.push_back(track(scratch_.path() / "elsewhere/z.mp3", "A", "Z", 10));
    tracks.push_back(track(music() / "#1 Hits/y.mp3", "B", "Y", 10));
    const WriteResult result = write(target(PathStyle::relative_to_library), "Focus", tracks);
    const std::string text = read(result.path);
    EXPECT_TRUE(contains(text, "\nMiles Davis/Kind of Blue/So What.mp3\n")) << text;
    EXPECT_TRUE(contains(text, "\nBjörk/Jóga.flac\n")) << text;
    EXPECT_FALSE(contains(text, "x.mp3")) << text;
    // '#' would start a comment and MPD refuses "./": the absolute path it
    // maps into its music_directory.
    EXPECT_TRUE(contains(text, "\n" + (music() / "#1 Hits/y.mp3").string() + "\n")) << text;
    ASSERT_EQ(result.warnings.size(), 1u);
    EXPECT_TRUE(contains(result.warnings[0], "left out 2 tracks outside '" + music().string() + "'"))
        << result.warnings[0];
}

TEST_F(M3uWriter, RelativeToLibraryUsesTheFolderHoldingEachTrack) {
    const fs::path second = scratch_.path() / "more music";
    const std::vector<core::LibraryRow> tracks = {track(music() / "a/one.mp3", "A", "1", 1),
                                                track(second / "b/two.mp3", "B", "2", 1)};
    std::vector<std::string> warnings;
    const std::string text =
        render_m3u(target(PathStyle::relative_to_library), {music(), second}, "Both", tracks, warnings);
    EXPECT_TRUE(contains(text, "\na/one.mp3\n")) << text;
    EXPECT_TRUE(contains(text, "\nb/two.mp3\n")) << text;
    EXPECT_TRUE(warnings.empty());
}

TEST_F(M3uWriter, RelativeToAndPrefixAsInBeets) {
    OutputTarget output = target(PathStyle::relative_to_library);
    output.relative_to = scratch_.path();
    output.prefix = "/mnt/nas/";
    std::vector<std::string> warnings;
    const std::string text = render_m3u(output, roots(), "NAS", two_tracks(), warnings);
    EXPECT_TRUE(contains(text, "\n/mnt/nas/music/Björk/Jóga.flac\n")) << text;
}

// The library reached as a symbolic link (~/Music -> /srv/music) while
// MPD's music_directory is the link's target: the entries are MPD's
// relative paths, as `vibectl play` maps them (util::RelativeBase), instead
// of every track left out as outside the music directory.
TEST_F(M3uWriter, RelativeToLibraryFollowsALinkedLibraryToItsTarget) {
    const fs::path target_folder = scratch_.path() / "srv-music";
    fs::create_directories(target_folder / "Björk");
    std::ofstream(target_folder / "Björk/Jóga.flac") << "x";
    fs::create_directory_symlink(target_folder, music());
    OutputTarget output = target(PathStyle::relative_to_library);
    output.relative_to = target_folder;
    std::vector<std::string> warnings;
    const std::string text =
        render_m3u(output, roots(), "MPD", {track(music() / "Björk/Jóga.flac", "Björk", "Jóga", 305.6)}, warnings);
    EXPECT_TRUE(contains(text, "\nBjörk/Jóga.flac\n")) << text;
    EXPECT_TRUE(warnings.empty()) << warnings.front();
    EXPECT_EQ(util::RelativeBase(target_folder).relative(music() / "Björk/Jóga.flac"), fs::path("Björk/Jóga.flac"));
}

TEST_F(M3uWriter, UriStylePercentEncodesWhatPlayersMisread) {
    const std::vector<core::LibraryRow> tracks = {track(music() / "Sigur Rós/Untitled #1?.mp3", "A", "1", 1),
                                                track(music() / "100% & more.flac", "A", "2", 1)};
    const WriteResult result = write(target(PathStyle::uri), "Uri", tracks);
    const std::string text = read(result.path);
    const std::string base = "file://" + music().string();
    EXPECT_TRUE(contains(text, "\n" + base + "/Sigur%20R%C3%B3s/Untitled%20%231%3F.mp3\n")) << text;
    EXPECT_TRUE(contains(text, "\n" + base + "/100%25%20%26%20more.flac\n")) << text;
    EXPECT_EQ(file_uri("/a b/c~d_e-f.g"), "file:///a%20b/c~d_e-f.g");
}

TEST_F(M3uWriter, RelativeEntryStartingWithHashIsNotAComment) {
    const auto tracks = {track(playlists() / "#1.mp3", "A", "B", 1)};
    const WriteResult result = write(target(PathStyle::relative_to_playlist), "Hash", tracks);
    EXPECT_TRUE(contains(read(result.path), "\n./#1.mp3\n"));
}

// One definition for every place that shows tags and names (M3U, vibed's
// log, vibectl): what a terminal would obey is escaped, text is kept.
TEST(PrintableText, EscapesWhatATerminalWouldObey) {
    EXPECT_EQ(printable_text("Björk - Jóga 東京"), "Björk - Jóga 東京");
    EXPECT_EQ(printable_text("a\x1b[2Jb"), "a\\x1b[2Jb");                      // CSI: clear screen
    EXPECT_EQ(printable_text("\x1b]52;c;aGk=\x07"), "\\x1b]52;c;aGk=\\x07");    // OSC 52: clipboard
    EXPECT_EQ(printable_text("line\r\nforged\t\x7f"), "line\\x0d\\x0aforged\\x09\\x7f");
    EXPECT_EQ(printable_text("\xc2\x9b" "31m"), "\\xc2\\x9b31m");              // C1 CSI as UTF-8
    EXPECT_EQ(printable_text("caf\xe9.mp3"), "caf\\xe9.mp3");                   // Latin-1, not UTF-8
    EXPECT_EQ(printable_text(std::string_view("a\0b", 3)), "a\\x00b");
}

TEST_F(M3uWriter, ExtinfFallsBackAndStaysOnOneLine) {
    const std::vector<core::LibraryRow> tracks = {
        track(music() / "untagged track.mp3", "", "", 0),
        track(music() / "b.mp3", "", "Only Title", 59.5),
        track(music() / "c.mp3", "Evil\nArtist", "Title\r#EXTINF:1,x", 1),
    };
    std::vector<std::string> warnings;
    const std::string text = render_m3u(target(PathStyle::absolute), roots(), "Bad\nName", tracks, warnings);
    EXPECT_TRUE(contains(text, "#PLAYLIST:Bad\\x0aName\n")) << text;
    EXPECT_TRUE(contains(text, "#EXTINF:-1,untagged track\n")) << text;
    EXPECT_TRUE(contains(text, "#EXTINF:60,Only Title\n")) << text;
    EXPECT_TRUE(contains(text, "#EXTINF:1,Evil\\x0aArtist - Title\\x0d#EXTINF:1,x\n")) << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2 + 2 * 3);
    EXPECT_TRUE(warnings.empty());
}

TEST_F(M3uWriter, PathsThatWouldBreakTheFileAreSkippedWithAWarning) {
    const std::vector<core::LibraryRow> tracks = {
        track(music() / "line\nbreak.mp3", "A", "1", 1),
        track(music() / "carriage\rreturn.mp3", "A", "2", 1),
        track(music() / "latin1-\xE9.mp3", "A", "3", 1),
        track(music() / "fine.mp3", "A", "4", 1),
    };
    const WriteResult result = write(target(PathStyle::absolute), "Mixed", tracks);
    const std::string text = read(result.path);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2 + 2);
    EXPECT_TRUE(contains(text, "fine.mp3"));
    ASSERT_EQ(result.warnings.size(), 2u);
    EXPECT_TRUE(contains(result.warnings[0], "left out 2 tracks whose path contains a line break")) << result.warnings[0];
    EXPECT_TRUE(contains(result.warnings[1], "UTF-8"));
    for (const std::string& warning : result.warnings) EXPECT_EQ(warning.find('\n'), std::string::npos);
}

TEST_F(M3uWriter, UnchangedContentIsNotRewritten) {
    const WriteResult first = write(target(PathStyle::absolute), "Chill", two_tracks());
    const auto old_time = fs::file_time_type::clock::now() - std::chrono::hours(24);
    fs::last_write_time(first.path, old_time);
    const ino_t inode = inode_of(first.path);

    const WriteResult again = write(target(PathStyle::absolute), "Chill", two_tracks());
    EXPECT_FALSE(again.changed);
    EXPECT_EQ(fs::last_write_time(first.path), old_time);
    EXPECT_EQ(inode_of(first.path), inode);

    auto fewer = two_tracks();
    fewer.pop_back();
    const WriteResult changed = write(target(PathStyle::absolute), "Chill", fewer);
    EXPECT_TRUE(changed.changed);
    EXPECT_FALSE(contains(read(first.path), "Jóga"));
    // Replaced by rename, not rewritten in place: a reader holding the old
    // file never sees a half-written one.
    EXPECT_NE(inode_of(first.path), inode);
}

TEST_F(M3uWriter, NoTemporaryFilesAreLeftBehind) {
    write(target(PathStyle::absolute), "One", two_tracks());
    write(target(PathStyle::absolute), "One", {});
    write(target(PathStyle::absolute), "Two", two_tracks());
    EXPECT_EQ(files_in(playlists()), (std::vector<fs::path>{".vibed-playlists", "One.m3u", "Two.m3u"}));
}

// A pid that no process has: a child that has exited and been reaped.
pid_t finished_pid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

TEST_F(M3uWriter, TemporariesOfAWriterThatDiedAreRemovedAndNothingElse) {
    fs::create_directories(playlists());
    const std::string dead = std::to_string(finished_pid());
    const std::string alive = std::to_string(::getppid());
    const std::string ours = std::to_string(::getpid());
    const std::vector<std::string> abandoned = {".Chill.m3u." + dead + "-0.tmp", ".vibed-playlists." + dead + "-7.tmp"};
    const std::vector<std::string> kept = {".Chill.m3u." + ours + "-1.tmp",  // this process may be writing it
                                           ".Chill.m3u." + alive + "-2.tmp",  // so may a running vibectl
                                           "Chill.m3u", "notes.tmp", ".notes.tmp", ".Chill.m3u.12ab-1.tmp",
                                           ".Chill.m3u." + dead + "-.tmp", ".Chill.m3u." + dead + "-1.tmp.bak"};
    for (const auto& name : abandoned) std::ofstream(playlists() / name) << "#EXTM3U\n";
    for (const auto& name : kept) std::ofstream(playlists() / name) << "user data\n";
    fs::create_directory(playlists() / (".Box.m3u." + dead + "-3.tmp"));  // a folder: not ours to delete

    auto removed = util::remove_abandoned_temporaries(playlists());
    std::sort(removed.begin(), removed.end());
    EXPECT_EQ(removed, (std::vector<fs::path>{playlists() / abandoned[0], playlists() / abandoned[1]}));
    for (const auto& name : abandoned) EXPECT_FALSE(fs::exists(playlists() / name)) << name;
    for (const auto& name : kept) EXPECT_TRUE(fs::exists(playlists() / name)) << name;
    EXPECT_TRUE(fs::is_directory(playlists() / (".Box.m3u." + dead + "-3.tmp")));
    EXPECT_TRUE(util::remove_abandoned_temporaries(playlists()).empty());
    EXPECT_TRUE(util::remove_abandoned_temporaries(scratch_.path() / "no-such-folder").empty());
}

TEST_F(M3uWriter, FileNamesAreThePlaylistNamesMadeSafeOnlyWhereNeeded) {
    EXPECT_EQ(playlist_file_name("Driving Vibes", ".m3u"), "Driving Vibes.m3u");
    // ':' and '?' (and * " < > |) break SMB and exFAT shares (issue 18).
    EXPECT_EQ(playlist_file_name("Rock & Roll: 80's?", ".m3u8"), "Rock & Roll- 80's-.m3u8");
    EXPECT_EQ(playlist_file_name("a*b\"c<d>e|f", ".m3u"), "a-b-c-d-e-f.m3u");
    EXPECT_EQ(playlist_file_name("#1 Hits", ".m3u"), "#1 Hits.m3u");
    EXPECT_EQ(playlist_file_name("日本の曲", ".m3u"), "日本の曲.m3u");
    EXPECT_EQ(playlist_file_name("../../x", ".m3u"), "-..-x.m3u");
    EXPECT_EQ(playlist_file_name("/etc/passwd", ".m3u"), "-etc-passwd.m3u");
    EXPECT_EQ(playlist_file_name("a\\b\nc", ".m3u"), "a-b-c.m3u");
    EXPECT_EQ(playlist_file_name("  .hidden ", ".m3u"), "hidden.m3u");
    EXPECT_EQ(playlist_file_name("latin1-\xE9", ".m3u"), "latin1--.m3u");
    EXPECT_LE(playlist_file_name(std::string(500, 'a'), ".m3u8").size(), 205u);
    const std::string cut = playlist_file_name(std::string(199, 'a') + "é", ".m3u");
    EXPECT_EQ(cut, std::string(199, 'a') + ".m3u");  // never half a character
    for (const char* unusable : {"", "..", "/", "../..", "  ", "\n"}) {
        EXPECT_THROW(playlist_file_name(unusable, ".m3u"), std::invalid_argument) << unusable;
    }
    EXPECT_THROW(playlist_file_name("ok", ".txt"), std::invalid_argument);
}

TEST_F(M3uWriter, HostileNamesStayInsideTheFolder) {
    const WriteResult result = write(target(PathStyle::absolute), "../../x", two_tracks());
    EXPECT_EQ(result.path, fs::canonical(playlists()) / "-..-x.m3u");
    EXPECT_FALSE(fs::exists(scratch_.path() / "x.m3u"));
    EXPECT_THROW(write(target(PathStyle::absolute), "../..", two_tracks()), std::invalid_argument);
    EXPECT_THROW(write(target(PathStyle::absolute, ".txt"), "ok", two_tracks()), std::invalid_argument);
}

TEST_F(M3uWriter, ANameStartingWithHashIsStillVibedsOnTheNextWrite) {
    write(target(PathStyle::absolute), "#1 Hits", two_tracks());
    EXPECT_TRUE(write(target(PathStyle::absolute), "#1 Hits", {}).changed);
    EXPECT_EQ(remove_stale_playlists(target(PathStyle::absolute), {}),
              std::vector<fs::path>{fs::canonical(playlists()) / "#1 Hits.m3u"});
}

TEST_F(M3uWriter, RefusesToOverwriteAFileItDidNotWrite) {
    fs::create_directories(playlists());
    std::ofstream(playlists() / "Chill.m3u") << "my own list\n";
    EXPECT_THROW(write(target(PathStyle::absolute), "Chill", two_tracks()), std::runtime_error);
    EXPECT_EQ(read(playlists() / "Chill.m3u"), "my own list\n");
}

TEST_F(M3uWriter, StalePlaylistsAreRemovedOnlyIfVibedWroteThem) {
    write(target(PathStyle::absolute), "Keep", two_tracks());
    write(target(PathStyle::absolute), "Drop", two_tracks());
    write(target(PathStyle::absolute, ".m3u8"), "Other Target", two_tracks());
    std::ofstream(playlists() / "mine.m3u") << "user's\n";
    std::ofstream(scratch_.path() / "outside.m3u") << "outside\n";
    // A tampered manifest must not lead vibed out of its folder.
    std::ofstream(playlists() / ".vibed-playlists", std::ios::app) << "../outside.m3u\n/etc/hostname.m3u\n";

    const auto removed = remove_stale_playlists(target(PathStyle::absolute), {"Keep"});
    EXPECT_EQ(removed, std::vector<fs::path>{fs::canonical(playlists()) / "Drop.m3u"});
    EXPECT_EQ(files_in(playlists()),
              (std::vector<fs::path>{".vibed-playlists", "Keep.m3u", "Other Target.m3u8", "mine.m3u"}));
    EXPECT_EQ(read(scratch_.path() / "outside.m3u"), "outside\n");
    const std::string manifest = read(playlists() / ".vibed-playlists");
    EXPECT_FALSE(contains(manifest, "Drop.m3u"));
    EXPECT_FALSE(contains(manifest, "outside"));
    EXPECT_TRUE(contains(manifest, "Other Target.m3u8"));

    // Once forgotten, a name is free for the user: vibed no longer owns it.
    EXPECT_TRUE(remove_stale_playlists(target(PathStyle::absolute), {"Keep"}).empty());
}

TEST_F(M3uWriter, RemovingFromAMissingFolderIsANoOp) {
    EXPECT_TRUE(remove_stale_playlists(target(PathStyle::absolute), {}).empty());
    EXPECT_FALSE(fs::exists(playlists()));
}

TEST_F(M3uWriter, AFolderThatCannotBeCreatedIsNamedInTheError) {
    std::ofstream(scratch_.path() / "a-file") << "x";
    OutputTarget blocked = target(PathStyle::absolute);
    blocked.folder = scratch_.path() / "a-file" / "playlists";
    try {
        write(blocked, "Chill", two_tracks());
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
        write(target(PathStyle::absolute), "Chill", two_tracks());
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
