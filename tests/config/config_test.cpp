// The configuration as a whole: the built-in defaults and the XDG directories
// they follow, finding and loading the file, and the positioned errors every
// bad value, key, path or corrupted file gets.
#include "config/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "config/xdg.hpp"
#include "tests/config/config_fixture.hpp"

namespace vibed::config::testing {
namespace {

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
}  // namespace vibed::config::testing
