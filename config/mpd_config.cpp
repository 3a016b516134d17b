#include "config/mpd_config.hpp"

#include <pwd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "config/config.hpp"
#include "config/xdg.hpp"

namespace vibed::config {
namespace {

namespace fs = std::filesystem;

// MPD follows `include` chains; a loop would never end.
constexpr int kMaxIncludeDepth = 8;

[[noreturn]] void fail(const fs::path& file, std::size_t line, const std::string& message) {
    throw ConfigError(file.string() + ":" + std::to_string(line) + ": " + message);
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw ConfigError(file.string() + ": cannot read MPD configuration: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
}

// One `name "value"` line, split as MPD's tokenizer does.
struct Line {
    std::string name;
    std::optional<std::string> value;  // nullopt: no value (e.g. "audio_output {")
    bool opens_block = false;
    bool closes_block = false;
};

Line split_line(std::string_view text, const fs::path& file, std::size_t number) {
    Line line;
    std::size_t pos = 0;
    const auto skip_space = [&] {
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r')) ++pos;
    };
    skip_space();
    if (pos < text.size() && text[pos] == '}') {
        line.closes_block = true;
        return line;
    }
    while (pos < text.size() && text[pos] != ' ' && text[pos] != '\t' && text[pos] != '"' && text[pos] != '#') {
        line.name += text[pos++];
    }
    skip_space();
    if (pos < text.size() && text[pos] == '{') {
        line.opens_block = true;
        return line;
    }
    if (pos < text.size() && text[pos] == '"') {
        std::string value;
        ++pos;
        while (pos < text.size() && text[pos] != '"') {
            if (text[pos] == '\\' && pos + 1 < text.size()) ++pos;
            value += text[pos++];
        }
        if (pos >= text.size()) fail(file, number, "missing closing '\"' in the value of " + line.name);
        line.value = std::move(value);
        ++pos;
    } else if (pos < text.size() && text[pos] != '#') {
        std::string value;  // MPD also takes a bare word
        while (pos < text.size() && text[pos] != ' ' && text[pos] != '\t' && text[pos] != '#' && text[pos] != '\r') {
            value += text[pos++];
        }
        line.value = std::move(value);
    }
    return line;
}

fs::path home_of(const std::string& user, const fs::path& file, std::size_t number) {
    const passwd* entry = getpwnam(user.c_str());
    if (entry == nullptr || entry->pw_dir == nullptr) fail(file, number, "no such user: " + user);
    return entry->pw_dir;
}

// MPD's path expansion (its ConfigPath): ~ and ~user at the start, or one of
// a few $VARIABLES as the first component; otherwise the path must be absolute.
fs::path expand_mpd_path(const std::string& value, const fs::path& file, std::size_t number) {
    if (value.starts_with('~')) {
        const std::size_t slash = value.find('/');
        const std::string user = value.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
        const fs::path home = user.empty() ? *xdg_directory("HOME") : home_of(user, file, number);
        const std::string rest = slash == std::string::npos ? "" : value.substr(slash + 1);
        return (home / rest).lexically_normal();
    }
    if (value.starts_with('$')) {
        const std::size_t slash = value.find('/');
        const std::string variable = value.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
        static constexpr std::string_view kKnown[] = {"HOME", "XDG_CONFIG_HOME", "XDG_MUSIC_DIR", "XDG_CACHE_HOME",
                                                      "XDG_RUNTIME_DIR"};
        if (std::find(std::begin(kKnown), std::end(kKnown), variable) == std::end(kKnown)) {
            fail(file, number, "unknown variable $" + variable + " in \"" + value + "\"");
        }
        const std::string rest = slash == std::string::npos ? "" : value.substr(slash + 1);
        return (*xdg_directory(variable) / rest).lexically_normal();
    }
    if (!value.starts_with('/')) fail(file, number, "\"" + value + "\" is not an absolute path");
    return fs::path(value).lexically_normal();
}

// "~/Music/" and "~/Music" are one folder, as in vibed's own paths.
fs::path without_trailing_slash(fs::path path) {
    if (!path.has_filename() && path.has_relative_path()) path = path.parent_path();
    return path;
}

void parse_into(std::string_view text, const fs::path& file, MpdDirectories& out, int depth) {
    if (depth > kMaxIncludeDepth) throw ConfigError(file.string() + ": MPD configuration includes nest too deep");
    int block_depth = 0;
    std::size_t number = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        ++number;
        const Line line = split_line(text.substr(start, end - start), file, number);
        start = end + 1;
        if (line.closes_block) {
            --block_depth;
            continue;
        }
        if (line.opens_block) {
            ++block_depth;
            continue;
        }
        if (block_depth > 0 || line.name.empty() || line.name.starts_with('#') || !line.value) continue;
        if (line.name == "music_directory") {
            out.music_directory = without_trailing_slash(expand_mpd_path(*line.value, file, number));
        } else if (line.name == "playlist_directory") {
            out.playlist_directory = without_trailing_slash(expand_mpd_path(*line.value, file, number));
        } else if (line.name == "include" || line.name == "include_optional") {
            const fs::path included = fs::path(*line.value).is_absolute() ? fs::path(*line.value)
                                                                          : file.parent_path() / *line.value;
            std::error_code ignored;
            if (line.name == "include_optional" && !fs::exists(included, ignored)) continue;
            parse_into(read_text(included), included, out, depth + 1);
        }
    }
}

}  // namespace

std::vector<fs::path> mpd_config_search_path() {
    std::vector<fs::path> candidates;
    try {
        candidates.push_back(*xdg_directory("XDG_CONFIG_HOME") / "mpd/mpd.conf");
        const fs::path home = *xdg_directory("HOME");
        candidates.push_back(home / ".mpdconf");
        candidates.push_back(home / ".mpd/mpd.conf");
    } catch (const std::invalid_argument&) {
        // No home directory (a bare service account): only the system file applies.
    }
    candidates.emplace_back("/etc/mpd.conf");
    return candidates;
}

std::optional<fs::path> find_mpd_config() {
    for (const auto& candidate : mpd_config_search_path()) {
        std::error_code ignored;
        if (fs::is_regular_file(candidate, ignored)) return candidate;
    }
    return std::nullopt;
}

MpdDirectories parse_mpd_config(std::string_view text, const fs::path& file) {
    MpdDirectories directories;
    parse_into(text, file, directories, 0);
    return directories;
}

MpdDirectories read_mpd_config(const fs::path& file) { return parse_mpd_config(read_text(file), file); }

}  // namespace vibed::config
