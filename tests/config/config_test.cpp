#include "config/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

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

TEST_F(ConfigTest, ListsReplaceTheDefaultsAsAWhole) {
    const Config config = parse_config(R"(
[[playlist]]
name = "Loud"
query = "energy > 0.9"

[[output]]
folder = "/srv/mpd/playlists"
extension = ".m3u"
path_style = "relative-to-library"
)",
                                       "test.toml");
    ASSERT_EQ(config.playlist_definitions.size(), 1u);
    EXPECT_EQ(config.playlist_definitions[0].name, "Loud");
    EXPECT_FALSE(config.playlist_definitions[0].shuffle);
    ASSERT_EQ(config.outputs.size(), 1u);
    EXPECT_EQ(config.outputs[0].folder, "/srv/mpd/playlists");
    EXPECT_EQ(config.outputs[0].extension, ".m3u");
    EXPECT_EQ(config.outputs[0].path_style, PathStyle::relative_to_library);
}

TEST_F(ConfigTest, EmptyPlaylistListDisablesTheDefaults) {
    EXPECT_TRUE(parse_config("playlist = []\n", "test.toml").playlist_definitions.empty());
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
              "\"relative-to-library\", \"relative-to-playlist\"");
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
    return parse_config(toml, "t").playlist_definitions.at(0).limit;
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
    EXPECT_EQ(error_for("[[playlist]]\nname = \"A\"\n"), "test.toml:1:1: [[playlist]] needs a query");
    EXPECT_EQ(error_for("[[playlist]]\nquery = \"energy > 0\"\n"), "test.toml:1:1: [[playlist]] needs a name");
    EXPECT_EQ(error_for("[[playlist]]\nname = \"!!\"\nquery = \"energy > 0\"\n"),
              "test.toml:2:8: playlist.name: \"!!\" needs at least one letter or digit");
}

TEST_F(ConfigTest, NamesAndAliasesAreUniqueCaseInsensitively) {
    EXPECT_EQ(error_for(R"([[playlist]]
name = "Driving Vibes"
query = "energy > 0.5"
[[playlist]]
name = "driving vibes"
query = "energy > 0.6"
)"),
              "test.toml:5:8: \"driving vibes\" of playlist \"driving vibes\" is already a name or alias of playlist "
              "\"Driving Vibes\"");
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

}  // namespace
}  // namespace vibed::config
