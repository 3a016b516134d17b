// Where playlists go and how vibed meets MPD: the [[output]] tables, MPD's
// own configuration and the output it brings, and the [mpd] client keys.
#include "config/config.hpp"

#include <gtest/gtest.h>

#include "config/mpd_config.hpp"
#include "tests/config/config_fixture.hpp"

namespace vibed::config::testing {
namespace {

TEST_F(ConfigTest, OutputListsReplaceTheDefaultsAsAWhole) {
    const Config config = parse_config(R"(
[[output]]
folder = "/srv/mpd/playlists"
extension = ".m3u"
path_style = "relative-to-library"
relative_to = "/srv/music"
prefix = "/mnt/"
)",
                                       "test.toml");
    ASSERT_EQ(config.outputs.size(), 1u);
    EXPECT_EQ(config.outputs[0].folder, "/srv/mpd/playlists");
    EXPECT_EQ(config.outputs[0].extension, ".m3u");
    EXPECT_EQ(config.outputs[0].path_style, PathStyle::relative_to_library);
    EXPECT_EQ(config.outputs[0].relative_to, "/srv/music");
    EXPECT_EQ(config.outputs[0].prefix, "/mnt/");
    EXPECT_EQ(config.outputs[0].origin, "test.toml:2:1");
    EXPECT_EQ(parse_config("[[output]]\nfolder = \"/p\"\npath_style = \"uri\"\n", "t").outputs[0].path_style,
              PathStyle::uri);
    EXPECT_EQ(error_for("[[output]]\nfolder = \"/p\"\nrelative_to = \"/m\"\n"),
              "test.toml:3:15: output.relative_to: only applies to path_style = \"relative-to-library\"");
}

TEST_F(ConfigTest, OutputsMustNotWriteTheSameFiles) {
    EXPECT_EQ(error_for("[[output]]\nfolder = \"/p\"\n[[output]]\nfolder = \"/p/\"\npath_style = \"relative-to-playlist\"\n"),
              "test.toml:3:1: [[output]] writes the same .m3u8 files to /p as an earlier [[output]]");
    EXPECT_EQ(parse_config("[[output]]\nfolder = \"/p\"\n[[output]]\nfolder = \"/p\"\nextension = \".m3u\"\n", "t")
                  .outputs.size(),
              2u);
}

TEST_F(ConfigTest, MpdConfigIsLookedForInMpdsOwnOrder) {
    const auto search = mpd_config_search_path();
    EXPECT_EQ(search, (std::vector<fs::path>{home_ / ".config/mpd/mpd.conf", home_ / ".mpdconf",
                                             home_ / ".mpd/mpd.conf", "/etc/mpd.conf"}));
    for (const auto& file : {home_ / ".mpd/mpd.conf", home_ / ".mpdconf", home_ / ".config/mpd/mpd.conf"}) {
        write_file(file, "music_directory \"~/Music\"\n");
        EXPECT_EQ(find_mpd_config(), file);
    }
    setenv("XDG_CONFIG_HOME", (home_ / "elsewhere").c_str(), 1);
    EXPECT_EQ(mpd_config_search_path().front(), home_ / "elsewhere/mpd/mpd.conf");
    EXPECT_EQ(find_mpd_config(), home_ / ".mpdconf");
}

TEST_F(ConfigTest, MpdConfigIsReadAsMpdReadsIt) {
    write_file(home_ / "mpd/extra.conf", "playlist_directory \"$XDG_CONFIG_HOME/mpd/lists\"\n");
    const auto directories = parse_mpd_config(R"(# MPD's per-user setup
music_directory		"~/Old"
audio_output {
	type		"pulse"
	music_directory	"/not/this"
}
include "extra.conf"
include_optional "absent.conf"
music_directory "~/Music/"   # a later setting wins
)",
                                              home_ / "mpd/mpd.conf");
    EXPECT_EQ(directories.music_directory, home_ / "Music");
    EXPECT_EQ(directories.playlist_directory, home_ / ".config/mpd/lists");
    try {
        parse_mpd_config("\n\nmusic_directory \"Music\"\n", "/x/mpd.conf");
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()), "/x/mpd.conf:3: \"Music\" is not an absolute path");
    }
}

TEST_F(ConfigTest, AnMpdThatPlaysTheLibraryGetsItsOwnOutput) {
    write_file(home_ / ".config/mpd/mpd.conf",
               "music_directory \"~/Music\"\nplaylist_directory \"~/.config/mpd/playlists\"\n");
    const Config config = load_config(std::nullopt);
    ASSERT_EQ(config.outputs.size(), 2u);
    const OutputTarget& mpd = config.outputs[1];
    EXPECT_EQ(mpd.folder, home_ / ".config/mpd/playlists");
    EXPECT_EQ(mpd.extension, ".m3u");
    EXPECT_EQ(mpd.path_style, PathStyle::relative_to_library);
    EXPECT_EQ(mpd.relative_to, home_ / "Music");
    EXPECT_TRUE(mpd.from_mpd);
    EXPECT_TRUE(config.mpd.target_added);
    EXPECT_EQ(config.mpd.config_file, home_ / ".config/mpd/mpd.conf");

    // Idempotent, and it follows the library.
    Config moved = config;
    moved.library.paths = {home_ / "Elsewhere"};
    add_player_outputs(moved);
    EXPECT_EQ(moved.outputs.size(), 1u);
    EXPECT_FALSE(moved.mpd.target_added);
    EXPECT_NE(moved.mpd.reason.find("could play none of its tracks"), std::string::npos) << moved.mpd.reason;
    moved.library.paths = {home_ / "Music/Jazz"};
    add_player_outputs(moved);
    add_player_outputs(moved);
    EXPECT_EQ(moved.outputs.size(), 2u);
}

TEST_F(ConfigTest, MpdOutputIsLeftOutWhenTheUserSaysSoOrAlreadyHasOne) {
    write_file(home_ / ".config/mpd/mpd.conf", "playlist_directory \"~/mpd-lists\"\n");  // music: XDG music folder
    write_file(home_ / ".config/vibed/config.toml", "[playlists]\nmpd = \"off\"\n");
    Config config = load_config(std::nullopt);
    EXPECT_EQ(config.outputs.size(), 1u);
    EXPECT_EQ(config.mpd.reason, "playlists.mpd is \"off\"");

    write_file(home_ / ".config/vibed/config.toml", "[[output]]\nfolder = \"~/mpd-lists\"\nextension = \".m3u\"\n");
    config = load_config(std::nullopt);
    EXPECT_EQ(config.outputs.size(), 1u);
    EXPECT_NE(config.mpd.reason.find("already writes .m3u files"), std::string::npos) << config.mpd.reason;

    write_file(home_ / "other.conf", "music_directory \"~\"\n");
    write_file(home_ / ".config/vibed/config.toml", "[playlists]\nmpd = \"~/other.conf\"\n");
    config = load_config(std::nullopt);
    EXPECT_EQ(config.mpd.config_file, home_ / "other.conf");
    EXPECT_NE(config.mpd.reason.find("sets no playlist_directory"), std::string::npos) << config.mpd.reason;
    // An MPD configuration found on its own that vibed may not read (Debian's
    // /etc/mpd.conf is mode 0640) is reported, not fatal; one named is an error.
    fs::remove(home_ / ".config/mpd/mpd.conf");
    write_file(home_ / ".mpdconf", "music_directory \"relative/path\"\n");
    write_file(home_ / ".config/vibed/config.toml", "[playlists]\nmax_entries = 10\n");
    config = load_config(std::nullopt);
    EXPECT_EQ(config.mpd.config_file, home_ / ".mpdconf");
    EXPECT_FALSE(config.mpd.target_added);
    EXPECT_NE(config.mpd.reason.find("is not an absolute path; no playlists are written for MPD"), std::string::npos)
        << config.mpd.reason;
    write_file(home_ / ".config/vibed/config.toml", "[playlists]\nmpd = \"~/.mpdconf\"\n");
    EXPECT_THROW(load_config(std::nullopt), ConfigError);
    EXPECT_EQ(error_for("[playlists]\nmpd = \"yes\"\n"),
              "test.toml:2:7: playlists.mpd: unknown value \"yes\"; expected \"auto\", \"off\" or the path of an mpd.conf");
}

TEST_F(ConfigTest, MpdClientDefaultsLeaveTheConnectionToMpdsConventions) {
    const MpdClientConfig mpd = default_config().mpd_client;
    EXPECT_EQ(mpd.host, "");
    EXPECT_EQ(mpd.port, 0u);
    EXPECT_EQ(mpd.password, "");
    EXPECT_EQ(mpd.timeout, 0s);
    EXPECT_TRUE(mpd.music_directory.empty());
    EXPECT_FALSE(mpd.keep_playing) << "keep_playing is opt-in";
    EXPECT_EQ(mpd.low_water, 2u);
    EXPECT_EQ(mpd.add_tracks, 5u);
    EXPECT_EQ(mpd.no_repeat, 8h);
}

TEST_F(ConfigTest, MpdClientKeys) {
    const Config config = parse_config(R"([mpd]
host = "secret@music.local"
port = 6601
timeout_seconds = 3
music_directory = "~/Music"
keep_playing = true
low_water = 1
add_tracks = 10
no_repeat_hours = 24
)",
                                       "test.toml");
    EXPECT_EQ(config.mpd_client.host, "secret@music.local");
    EXPECT_EQ(config.mpd_client.port, 6601u);
    EXPECT_EQ(config.mpd_client.timeout, 3s);
    EXPECT_EQ(config.mpd_client.music_directory, home_ / "Music");
    EXPECT_TRUE(config.mpd_client.keep_playing);
    EXPECT_EQ(config.mpd_client.low_water, 1u);
    EXPECT_EQ(config.mpd_client.add_tracks, 10u);
    EXPECT_EQ(config.mpd_client.no_repeat, 24h);
}

TEST_F(ConfigTest, MpdClientErrorsNameTheKey) {
    EXPECT_EQ(error_for("[mpd]\nport = 70000\n"), "test.toml:2:8: mpd.port: must be between 0 and 65535, got 70000");
    EXPECT_EQ(error_for("[mpd]\ntimeout_seconds = 601\n"), "test.toml:2:19: mpd.timeout_seconds: must be between 0 and 600, got 601");
    EXPECT_EQ(error_for("[mpd]\nadd_tracks = 0\n"), "test.toml:2:14: mpd.add_tracks: must be between 1 and 100, got 0");
    EXPECT_EQ(error_for("[mpd]\nhost = \"a\\nb\"\n"), "test.toml:2:8: mpd.host: must not contain a line break");
    EXPECT_EQ(error_for("[mpd]\nkeep_going = true\n"), "test.toml:2:1: unknown key \"keep_going\" in [mpd]");
}

}  // namespace
}  // namespace vibed::config::testing
