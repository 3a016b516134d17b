#include "config/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "config/mpd_config.hpp"
#include "config/xdg.hpp"

namespace vibed::config {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

void write_file(const fs::path& path, std::string_view text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

// Gives every test its own HOME and XDG directories, so results never depend
// on the machine's real configuration.
class ConfigTest : public ::testing::Test {
protected:
    void SetUp() override {
        home_ = fs::temp_directory_path() / ("vibed-config-test-" + std::to_string(getpid()));
        fs::remove_all(home_);
        fs::create_directories(home_);
        setenv("HOME", home_.c_str(), 1);
        for (const char* name : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
                                 "XDG_MUSIC_DIR"}) {
            unsetenv(name);
        }
        setenv("XDG_RUNTIME_DIR", (home_ / "run").c_str(), 1);
    }
    void TearDown() override { fs::remove_all(home_); }

    // The message parse_config() throws for `toml`, or "" when it parses.
    static std::string error_for(std::string_view toml) {
        try {
            parse_config(toml, "test.toml");
        } catch (const ConfigError& error) {
            return error.what();
        }
        return "";
    }

    fs::path home_;
};

TEST_F(ConfigTest, BuiltInDefaultsFollowTheXdgDirectories) {
    const Config config = default_config();
    EXPECT_TRUE(config.source.empty());
    ASSERT_EQ(config.library.paths.size(), 1u);
    EXPECT_EQ(config.library.paths[0], home_ / "Music");
    EXPECT_TRUE(config.library.follow_symlinks);
    EXPECT_EQ(config.database.path, home_ / ".local/share/vibed/library.db");
    EXPECT_EQ(config.daemon.socket, home_ / "run/vibed.sock");
    ASSERT_EQ(config.outputs.size(), 1u);
    EXPECT_EQ(config.outputs[0].folder, home_ / ".local/share/vibed/playlists");
    EXPECT_EQ(config.outputs[0].extension, ".m3u8");
    EXPECT_EQ(config.outputs[0].path_style, PathStyle::absolute);
    EXPECT_EQ(config.analysis.model.kind, ModelChoice::Kind::student);
    EXPECT_EQ(config.analysis.workers, 0u);
    EXPECT_GE(config.analysis.worker_count(), 1u);
    EXPECT_EQ(config.daemon.log_level, LogLevel::info);
    EXPECT_EQ(config.playlists.max_entries, 16384u);
}

TEST_F(ConfigTest, BuiltInDefaultsAreTheDocumentedExampleFile) {
    std::ifstream file(fs::path(VIBED_SOURCE_DIR) / "config/vibed.toml", std::ios::binary);
    std::stringstream text;
    text << file.rdbuf();
    EXPECT_EQ(default_config_text(), text.str());
}

TEST_F(ConfigTest, ShipsTheEightDefaultPlaylists) {
    const Config config = default_config();
    std::vector<std::string> names;
    for (const auto& playlist : config.playlist_definitions) {
        names.push_back(playlist.name);
        EXPECT_FALSE(playlist.query.empty()) << playlist.name;
        EXPECT_FALSE(playlist.description.empty()) << playlist.name;
    }
    EXPECT_EQ(names, (std::vector<std::string>{"Morning Mix", "Driving Vibes", "Workout", "Focus", "Chill", "Party",
                                               "Melancholy", "Acoustic"}));
}

TEST_F(ConfigTest, MusicFolderComesFromUserDirs) {
    write_file(home_ / ".config/user-dirs.dirs", "# written by xdg-user-dirs-update\n"
                                                 "XDG_DESKTOP_DIR=\"$HOME/Desktop\"\n"
                                                 "XDG_MUSIC_DIR=\"$HOME/Musik\"\n");
    EXPECT_EQ(default_config().library.paths.at(0), home_ / "Musik");
}

TEST_F(ConfigTest, EnvironmentOverridesXdgDefaults) {
    setenv("XDG_DATA_HOME", (home_ / "data").c_str(), 1);
    EXPECT_EQ(default_config().database.path, home_ / "data/vibed/library.db");
}

TEST_F(ConfigTest, AbsentValuesKeepTheirDefaults) {
    const Config config = parse_config("[daemon]\nsettle_seconds = 2\n", "test.toml");
    EXPECT_EQ(config.daemon.settle, 2s);
    EXPECT_EQ(config.daemon.rescan_interval, 60min);
    EXPECT_EQ(config.database.path, default_config().database.path);
    EXPECT_EQ(config.playlist_definitions.size(), default_config().playlist_definitions.size());
    EXPECT_EQ(config.source, "test.toml");
}

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

TEST_F(ConfigTest, AUserPlaylistIsAddedToTheDefaults) {
    const Config config = parse_config(R"(
[[playlist]]
name = "Loud"
query = "energy > 0.9"
)",
                                       "test.toml");
    ASSERT_EQ(config.playlist_definitions.size(), default_config().playlist_definitions.size() + 1);
    EXPECT_EQ(config.playlist_definitions.front().name, "Morning Mix");
    EXPECT_EQ(config.playlist_definitions.back().name, "Loud");
    EXPECT_FALSE(config.playlist_definitions.back().from_defaults);
    EXPECT_FALSE(config.playlist_definitions.back().shuffle);
}

TEST_F(ConfigTest, APlaylistNamedLikeADefaultChangesOnlyTheKeysItSets) {
    const Config config = parse_config(R"(
[[playlist]]
name = "driving vibes"
limit = "3h"
[[playlist]]
name = "Party"
enabled = false
)",
                                       "test.toml");
    const auto* driving = find_playlist(config, "driving");
    ASSERT_NE(driving, nullptr);
    EXPECT_EQ(driving->name, "driving vibes");
    EXPECT_EQ(driving->limit.duration, std::chrono::hours(3));
    EXPECT_EQ(driving->query, find_playlist(default_config(), "driving")->query);
    EXPECT_TRUE(driving->shuffle);
    EXPECT_EQ(find_playlist(config, "party"), nullptr);
    EXPECT_EQ(config.playlist_definitions.size(), default_config().playlist_definitions.size() - 1);
}

TEST_F(ConfigTest, DefaultPlaylistsCanBeSwitchedOff) {
    const Config config = parse_config(R"(
[playlists]
default_playlists = false
[[playlist]]
name = "Loud"
query = "energy > 0.9"
)",
                                       "test.toml");
    ASSERT_EQ(config.playlist_definitions.size(), 1u);
    EXPECT_EQ(config.playlist_definitions[0].name, "Loud");
    EXPECT_TRUE(parse_config("[playlists]\ndefault_playlists = false\n", "t").playlist_definitions.empty());
}

TEST_F(ConfigTest, QueryAndSortRememberWhereTheyWereWritten) {
    const Config config = parse_config("[[playlist]]\nname = \"A\"\nquery   =  \"energy > 0.5\"\nsort = 'energy desc'\n"
                                       "[[playlist]]\nname = \"B\"\nquery = \"energy > \\u0030\"\n",
                                       "test.toml");
    const auto& a = *find_playlist(config, "A");
    EXPECT_EQ(a.query_at.file, "test.toml");
    EXPECT_EQ(a.query_at.line, 3u);
    EXPECT_EQ(a.query_at.column, 13u);
    EXPECT_EQ(a.query_at.line_text, "query   =  \"energy > 0.5\"");
    EXPECT_EQ(a.sort_at.line, 4u);
    EXPECT_EQ(a.sort_at.column, 9u);
    // An escape: the value is not on the line as written.
    const auto& b = *find_playlist(config, "B");
    EXPECT_EQ(b.query_at.line, 7u);
    EXPECT_FALSE(b.query_at.line_text.has_value());
}

TEST_F(ConfigTest, PathsExpandTildeAndXdgVariables) {
    setenv("XDG_DATA_HOME", "/data", 1);
    const Config config = parse_config(R"(
[library]
paths = ["~/Music/", "${XDG_DATA_HOME}/songs", "/mnt/music/../audio"]
[database]
path = "$HOME/index.db"
)",
                                       "test.toml");
    EXPECT_EQ(config.library.paths,
              (std::vector<fs::path>{home_ / "Music", "/data/songs", "/mnt/audio"}));
    EXPECT_EQ(config.database.path, home_ / "index.db");
}

TEST_F(ConfigTest, RelativeXdgEnvironmentValuesAreIgnored) {
    setenv("XDG_DATA_HOME", "relative/data", 1);
    EXPECT_EQ(*xdg_directory("XDG_DATA_HOME"), home_ / ".local/share");
}

TEST_F(ConfigTest, UnknownKeysAreErrorsWithTheirPosition) {
    EXPECT_EQ(error_for("[daemon]\nsettle_seconds = 1\nsettle_secs = 3\n"),
              "test.toml:3:1: unknown key \"settle_secs\" in [daemon]");
    EXPECT_EQ(error_for("[libary]\n"), "test.toml:1:2: unknown key \"libary\"");
    EXPECT_EQ(error_for("[[playlist]]\nname = \"A\"\nquery = \"energy > 0.5\"\nshufle = true\n"),
              "test.toml:4:1: unknown key \"shufle\" in [playlist]");
}

TEST_F(ConfigTest, BadValuesAreErrorsWithTheirPosition) {
    EXPECT_EQ(error_for("[daemon]\nsettle_seconds = \"five\"\n"),
              "test.toml:2:18: daemon.settle_seconds: expected an integer, got a string");
    EXPECT_EQ(error_for("[analysis]\nworkers = -1\n"),
              "test.toml:2:11: analysis.workers: must be between 0 and 256, got -1");
    EXPECT_EQ(error_for("[daemon]\nlog_level = \"loud\"\n"),
              "test.toml:2:13: daemon.log_level: unknown value \"loud\"; expected one of \"critical\", \"debug\", "
              "\"error\", \"info\", \"off\", \"trace\", \"warn\"");
    EXPECT_EQ(error_for("[[output]]\nfolder = \"/tmp\"\nextension = \".pls\"\n"),
              "test.toml:3:13: output.extension: unknown value \".pls\"; expected one of \".m3u\", \".m3u8\"");
    EXPECT_EQ(error_for("[[output]]\nfolder = \"/tmp\"\npath_style = \"relative\"\n"),
              "test.toml:3:14: output.path_style: unknown value \"relative\"; expected one of \"absolute\", "
              "\"relative-to-library\", \"relative-to-playlist\", \"uri\"");
    EXPECT_EQ(error_for("[library]\nfollow_symlinks = 1\n"),
              "test.toml:2:19: library.follow_symlinks: expected true or false, got an integer");
    EXPECT_EQ(error_for("library = 3\n"), "test.toml:1:11: library: expected a table, got an integer");
}

TEST_F(ConfigTest, BadPathsAreErrors) {
    EXPECT_EQ(error_for("[database]\npath = \"data/library.db\"\n"),
              "test.toml:2:8: database.path: \"data/library.db\" must be an absolute path (it may start with ~ or "
              "$XDG_...)");
    EXPECT_EQ(error_for("[database]\npath = \"$MUSIC/library.db\"\n"),
              "test.toml:2:8: database.path: unknown variable $MUSIC (only $HOME and the XDG directories are "
              "expanded)");
    EXPECT_EQ(error_for("[library]\npaths = []\n"), "test.toml:1:1: library.paths must list at least one folder");
}

TEST_F(ConfigTest, SyntaxErrorsNameTheirPosition) {
    const std::string error = error_for("[daemon]\nsettle_seconds = \n");
    EXPECT_TRUE(error.starts_with("test.toml:2:")) << error;
}

TEST_F(ConfigTest, CorruptedFilesGivePositionedErrorsNeverCrashes) {
    std::mt19937 random(20261121);
    const std::string original(default_config_text());
    for (int attempt = 0; attempt < 500; ++attempt) {
        std::string text = original;
        for (int edits = 1 + static_cast<int>(random() % 8); edits > 0; --edits) {
            text[random() % text.size()] = static_cast<char>(random());
        }
        try {
            parse_config(text, "mutated.toml");
        } catch (const ConfigError& error) {
            EXPECT_TRUE(std::string(error.what()).starts_with("mutated.toml:")) << error.what();
        }
    }
    EXPECT_TRUE(error_for("a = " + std::string(100000, '[')).starts_with("test.toml:1:"));
}

TEST_F(ConfigTest, ModelIsBundledNameOrFile) {
    EXPECT_EQ(parse_config("[analysis]\nmodel = \"vibenet\"\n", "t").analysis.model.kind, ModelChoice::Kind::vibenet);
    const auto file = parse_config("[analysis]\nmodel = \"~/models/mine.pt\"\n", "t").analysis.model;
    EXPECT_EQ(file.kind, ModelChoice::Kind::file);
    EXPECT_EQ(file.file, home_ / "models/mine.pt");
    EXPECT_EQ(error_for("[analysis]\nmodel = \"teacher\"\n"),
              "test.toml:2:9: analysis.model: unknown model \"teacher\"; expected \"student\", \"vibenet\" or the "
              "path of a .pt file");
}

PlaylistLimit limit_of(std::string_view value) {
    const std::string toml = "[[playlist]]\nname = \"A\"\nquery = \"energy > 0.5\"\nlimit = " + std::string(value);
    return parse_config(toml, "t").playlist_definitions.back().limit;
}

TEST_F(ConfigTest, LimitsAreCountsOrDurations) {
    EXPECT_EQ(limit_of("50").count, 50);
    EXPECT_EQ(limit_of("\"50\"").count, 50);
    EXPECT_FALSE(limit_of("\"50\"").duration);
    EXPECT_EQ(limit_of("\"90m\"").duration, 90min);
    EXPECT_EQ(limit_of("\"2h\"").duration, 2h);
    EXPECT_EQ(limit_of("\"1h30m\"").duration, 90min);
    EXPECT_EQ(limit_of("\"45s\"").duration, 45s);
    EXPECT_FALSE(limit_of("\"45s\"").count);
    for (const char* bad : {"0", "\"0\"", "\"0m\"", "\"90x\"", "\"m\"", "\"1.5h\"", "true"}) {
        const std::string toml = "[[playlist]]\nname = \"A\"\nquery = \"energy > 0.5\"\nlimit = " + std::string(bad);
        EXPECT_TRUE(error_for(toml).starts_with("test.toml:4:9: playlist.limit: ")) << bad << ": " << error_for(toml);
    }
}

TEST_F(ConfigTest, PlaylistsNeedNameAndQuery) {
    EXPECT_EQ(error_for("[[playlist]]\nname = \"A\"\n"), "test.toml:1:1: [[playlist]] \"A\" needs a query");
    EXPECT_EQ(error_for("[[playlist]]\nquery = \"energy > 0\"\n"), "test.toml:1:1: [[playlist]] needs a name");
    EXPECT_EQ(error_for("[[playlist]]\nname = \"!!\"\nquery = \"energy > 0\"\n"),
              "test.toml:2:8: playlist.name: \"!!\" needs at least one letter or digit");
}

TEST_F(ConfigTest, PlaylistsMayBeRadiosOrJourneys) {
    const auto config = parse_config(R"toml(
[analysis]
similarity_model = "none"
[[playlist]]
name = "Noise Radio"
kind = "radio"
seed = "artist:Noisy"
query = "bpm > 100"
limit = "1h"
[[playlist]]
name = "Morning Mix"
kind = "journey"
from = "soft"
to = "bright"
limit = "45m"
)toml", "t");
    EXPECT_EQ(config.analysis.similarity_model, "none");
    const auto* radio = find_playlist(config, "noise radio");
    ASSERT_NE(radio, nullptr);
    EXPECT_EQ(radio->kind, PlaylistKind::radio);
    EXPECT_EQ(radio->seed, "artist:Noisy");
    EXPECT_EQ(radio->seed_at.line, 7u);
    EXPECT_EQ(radio->query, "bpm > 100");
    const auto* morning = find_playlist(config, "morning mix");  // the default, made a journey
    ASSERT_NE(morning, nullptr);
    EXPECT_EQ(morning->kind, PlaylistKind::journey);
    EXPECT_EQ(morning->from, "soft");
    EXPECT_EQ(morning->to, "bright");
    EXPECT_EQ(morning->limit.duration, 45min);
    EXPECT_EQ(parse_config("", "t").analysis.similarity_model, "similarity");

    EXPECT_EQ(error_for("[[playlist]]\nname = \"R\"\nkind = \"radio\"\n"),
              "test.toml:1:1: [[playlist]] \"R\" of kind \"radio\" needs seed");
    EXPECT_EQ(error_for("[[playlist]]\nname = \"J\"\nkind = \"journey\"\nfrom = \"calm\"\n"),
              "test.toml:1:1: [[playlist]] \"J\" of kind \"journey\" needs to");
    EXPECT_EQ(error_for("[[playlist]]\nname = \"R\"\nkind = \"tape\"\n"),
              "test.toml:3:8: playlist.kind: unknown kind \"tape\"; expected \"rule\", \"radio\" or \"journey\"");
    EXPECT_EQ(error_for("[[playlist]]\nname = \"R\"\nquery = \"energy > 0\"\nseed = \"energy > 0\"\n"),
              "test.toml:4:8: playlist.seed: seed is for playlists of kind \"radio\"");
    EXPECT_EQ(error_for("[[playlist]]\nname = \"R\"\nkind = \"radio\"\nseed = \"x\"\nshuffle = true\n"),
              "test.toml:5:11: playlist.shuffle: a radio chooses its own order; shuffle is for rule playlists");
    EXPECT_EQ(error_for("[analysis]\nsimilarity_model = \"bliss\"\n"),
              "test.toml:2:20: analysis.similarity_model: unknown similarity model \"bliss\"; expected "
              "\"similarity\", \"none\" or the path of a .json file");
}

TEST_F(ConfigTest, NamesAndAliasesAreUniqueCaseInsensitively) {
    EXPECT_EQ(error_for(R"([[playlist]]
name = "Driving Vibes"
query = "energy > 0.5"
[[playlist]]
name = "driving vibes"
query = "energy > 0.6"
)"),
              "test.toml:5:8: a playlist named \"driving vibes\" is already configured in this file");
    EXPECT_EQ(error_for(R"([[playlist]]
name = "Driving Vibes"
aliases = ["drive"]
query = "energy > 0.5"
[[playlist]]
name = "Road Trip"
aliases = ["road", "DRIVE"]
query = "energy > 0.6"
)"),
              "test.toml:7:20: \"DRIVE\" of playlist \"Road Trip\" is already a name or alias of playlist "
              "\"Driving Vibes\"");
    // The defaults' names and aliases are taken too.
    EXPECT_EQ(error_for("[[playlist]]\nname = \"Gym\"\nquery = \"energy > 0.5\"\n"),
              "test.toml:2:8: \"Gym\" of playlist \"Gym\" is already a name or alias of playlist \"Workout\"");
}

TEST_F(ConfigTest, OutputsMustNotWriteTheSameFiles) {
    EXPECT_EQ(error_for("[[output]]\nfolder = \"/p\"\n[[output]]\nfolder = \"/p/\"\npath_style = \"relative-to-playlist\"\n"),
              "test.toml:3:1: [[output]] writes the same .m3u8 files to /p as an earlier [[output]]");
    EXPECT_EQ(parse_config("[[output]]\nfolder = \"/p\"\n[[output]]\nfolder = \"/p\"\nextension = \".m3u\"\n", "t")
                  .outputs.size(),
              2u);
}

TEST_F(ConfigTest, SlugLowerCasesAndDashesSeparators) {
    EXPECT_EQ(slug("Driving Vibes"), "driving-vibes");
    EXPECT_EQ(slug("  Rock & Roll!! "), "rock-roll");
    EXPECT_EQ(slug("../../x"), "x");
    EXPECT_EQ(slug("Café Noir"), "café-noir");
    EXPECT_EQ(slug("***"), "");
}

TEST_F(ConfigTest, FindsPlaylistsByNameSlugOrAlias) {
    const Config config = default_config();
    for (const char* key : {"Driving Vibes", "driving vibes", "driving-vibes", "driving", "DRIVE"}) {
        const auto* found = find_playlist(config, key);
        ASSERT_NE(found, nullptr) << key;
        EXPECT_EQ(found->name, "Driving Vibes");
    }
    EXPECT_EQ(find_playlist(config, "no such playlist"), nullptr);
    EXPECT_EQ(find_playlist(config, ""), nullptr);
}

TEST_F(ConfigTest, LoadsTheExplicitFile) {
    const fs::path file = home_ / "custom.toml";
    write_file(file, "[daemon]\nsettle_seconds = 7\n");
    const Config config = load_config(file);
    EXPECT_EQ(config.source, file);
    EXPECT_EQ(config.daemon.settle, 7s);
}

TEST_F(ConfigTest, ErrorsInAFileNameTheFile) {
    const fs::path file = home_ / "broken.toml";
    write_file(file, "[daemon]\nsettle = 7\n");
    try {
        load_config(file);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()), file.string() + ":2:1: unknown key \"settle\" in [daemon]");
    }
}

TEST_F(ConfigTest, MissingExplicitFileIsAnError) {
    const fs::path file = home_ / "absent.toml";
    try {
        load_config(file);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()), file.string() + ": cannot read config file: No such file or directory");
    }
}

TEST_F(ConfigTest, AFolderIsNotAConfigFile) {
    fs::create_directories(home_ / ".config/vibed/config.toml");
    try {
        load_config(std::nullopt);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()),
                  (home_ / ".config/vibed/config.toml").string() + ": cannot read config file: it is a folder");
    }
}

TEST_F(ConfigTest, FindsTheUserConfigFile) {
    write_file(home_ / ".config/vibed/config.toml", "[playlists]\nmax_entries = 100\n");
    const Config config = load_config(std::nullopt);
    EXPECT_EQ(config.source, home_ / ".config/vibed/config.toml");
    EXPECT_EQ(config.playlists.max_entries, 100u);
}

TEST_F(ConfigTest, WithoutAnyFileUsesTheDefaults) {
    if (fs::exists("/etc/vibed/config.toml")) GTEST_SKIP() << "this machine has /etc/vibed/config.toml";
    const Config config = load_config(std::nullopt);
    EXPECT_TRUE(config.source.empty());
    EXPECT_EQ(config.database.path, default_config().database.path);
}


// ---- MPD ------------------------------------------------------------------

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
}  // namespace vibed::config
