#pragma once
// The fixture every config test uses (config_test.cpp, playlists_config_test.cpp,
// outputs_mpd_config_test.cpp): a scratch HOME and XDG directories per test.
// In a named namespace, so that the three files' TEST_F(ConfigTest, ...)
// share one fixture class, as GoogleTest requires of one test suite; the
// tests are written inside it.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace vibed::config::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline void write_file(const fs::path& path, std::string_view text) {
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

}  // namespace vibed::config::testing
