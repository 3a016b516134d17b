#include "config/xdg.hpp"

#include <pwd.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace vibed::config {
namespace {

namespace fs = std::filesystem;

// An environment variable, but only when it holds an absolute path: the XDG
// specification says relative values are invalid and must be ignored.
std::optional<fs::path> absolute_env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || value[0] != '/') return std::nullopt;
    return fs::path(value);
}

fs::path home_directory() {
    if (auto home = absolute_env("HOME")) return *home;
    // Services started without HOME still have a passwd entry.
    if (const passwd* entry = getpwuid(getuid()); entry != nullptr && entry->pw_dir != nullptr) {
        return entry->pw_dir;
    }
    throw std::invalid_argument("cannot find the home directory: HOME is not set");
}

fs::path config_home() {
    return absolute_env("XDG_CONFIG_HOME").value_or(home_directory() / ".config");
}

fs::path state_home() {
    return absolute_env("XDG_STATE_HOME").value_or(home_directory() / ".local/state");
}

fs::path runtime_directory() {
    if (auto dir = absolute_env("XDG_RUNTIME_DIR")) return *dir;
    // Outside a login session (cron, ssh without pam_systemd) the variable is
    // missing; use the directory logind would have made, else a private one.
    fs::path login_runtime = "/run/user/" + std::to_string(getuid());
    std::error_code ignored;
    if (fs::is_directory(login_runtime, ignored)) return login_runtime;
    return state_home();
}

// XDG_MUSIC_DIR as xdg-user-dirs writes it: XDG_MUSIC_DIR="$HOME/Music".
std::optional<fs::path> music_dir_from_user_dirs() {
    std::ifstream file(config_home() / "user-dirs.dirs");
    constexpr std::string_view kPrefix = "XDG_MUSIC_DIR=\"";
    constexpr std::string_view kHome = "$HOME";
    for (std::string line; std::getline(file, line);) {
        if (!line.starts_with(kPrefix) || !line.ends_with('"')) continue;
        std::string value = line.substr(kPrefix.size(), line.size() - kPrefix.size() - 1);
        if (value.starts_with(kHome)) {
            std::string rest = value.substr(kHome.size());
            // "$HOME/" means the user disabled the folder.
            if (rest.empty() || rest == "/") return std::nullopt;
            return home_directory() / fs::path(rest).relative_path();
        }
        if (value.starts_with('/')) return fs::path(value);
    }
    return std::nullopt;
}

fs::path music_directory() {
    if (auto dir = absolute_env("XDG_MUSIC_DIR")) return *dir;
    return music_dir_from_user_dirs().value_or(home_directory() / "Music");
}

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Reads the variable reference starting at text[pos] == '$'; returns its name
// and the position just after it.
std::pair<std::string, std::size_t> variable_at(std::string_view text, std::size_t pos) {
    if (pos + 1 < text.size() && text[pos + 1] == '{') {
        const std::size_t close = text.find('}', pos + 2);
        if (close == std::string_view::npos) {
            throw std::invalid_argument("unterminated ${ in \"" + std::string(text) + "\"");
        }
        return {std::string(text.substr(pos + 2, close - pos - 2)), close + 1};
    }
    std::size_t end = pos + 1;
    while (end < text.size() && is_name_char(text[end])) ++end;
    return {std::string(text.substr(pos + 1, end - pos - 1)), end};
}

}  // namespace

std::optional<fs::path> xdg_directory(std::string_view variable) {
    if (variable == "HOME") return home_directory();
    if (variable == "XDG_CONFIG_HOME") return config_home();
    if (variable == "XDG_DATA_HOME") {
        return absolute_env("XDG_DATA_HOME").value_or(home_directory() / ".local/share");
    }
    if (variable == "XDG_STATE_HOME") return state_home();
    if (variable == "XDG_CACHE_HOME") {
        return absolute_env("XDG_CACHE_HOME").value_or(home_directory() / ".cache");
    }
    if (variable == "XDG_RUNTIME_DIR") return runtime_directory();
    if (variable == "XDG_MUSIC_DIR") return music_directory();
    return std::nullopt;
}

fs::path expand_path(std::string_view text) {
    std::string result;
    std::size_t pos = 0;
    if (text == "~" || text.starts_with("~/")) {
        result = home_directory().string();
        pos = 1;
    }
    while (pos < text.size()) {
        const std::size_t dollar = text.find('$', pos);
        result.append(text.substr(pos, dollar - pos));
        if (dollar == std::string_view::npos) break;
        auto [name, next] = variable_at(text, dollar);
        const auto value = xdg_directory(name);
        if (!value) {
            throw std::invalid_argument("unknown variable $" + name +
                                        " (only $HOME and the XDG directories are expanded)");
        }
        result += value->string();
        pos = next;
    }
    fs::path expanded = fs::path(result).lexically_normal();
    // "~/Music/" and "~/Music" must name the same folder for prefix matching.
    if (!expanded.has_filename() && expanded.has_relative_path()) expanded = expanded.parent_path();
    return expanded;
}

}  // namespace vibed::config
