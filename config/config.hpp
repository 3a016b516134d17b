#pragma once
// vibed's configuration: one TOML file layered over built-in defaults.
//
// The built-in defaults are config/vibed.toml itself, compiled in, so the
// documented example and the real defaults cannot drift apart.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vibed::config {

// A configuration that cannot be read or is invalid. what() is one line,
// "file:line:column: message" whenever the problem has a place in a file.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct LibraryConfig {
    std::vector<std::filesystem::path> paths;  // folders to index, absolute
    std::vector<std::string> exclude;          // file/folder name globs to skip
    bool follow_symlinks = true;
};

struct DatabaseConfig {
    std::filesystem::path path;
};

// Which model analyses the tracks.
struct ModelChoice {
    enum class Kind { student, vibenet, file };
    Kind kind = Kind::student;
    std::filesystem::path file;  // only for Kind::file: an absolute .pt path
};

struct AnalysisConfig {
    ModelChoice model;
    unsigned workers = 0;  // 0 = one per core; use worker_count()
    unsigned intra_op_threads = 1;
    // Long-file policy: tracks longer than this are analysed in segments of
    // this length (see core/analysis/track_analyzer.hpp).
    std::chrono::seconds segment{0};

    // workers, with 0 resolved to the number of CPU cores (at least 1).
    [[nodiscard]] unsigned worker_count() const;
};

enum class LogLevel { trace, debug, info, warn, error, critical, off };

struct DaemonConfig {
    std::chrono::seconds settle{0};
    std::chrono::minutes rescan_interval{0};  // 0 = rescan only when needed
    std::filesystem::path socket;
    LogLevel log_level = LogLevel::info;
};

struct PlaylistSettings {
    std::chrono::seconds regenerate_delay{0};
    std::size_t max_entries = 0;
};

enum class PathStyle { absolute, relative_to_playlist, relative_to_library };

// One place playlists are written to.
struct OutputTarget {
    std::filesystem::path folder;
    std::string extension = ".m3u8";  // ".m3u" or ".m3u8"
    PathStyle path_style = PathStyle::absolute;
};

// A playlist's cap: a number of tracks, a total duration, or neither.
struct PlaylistLimit {
    std::optional<int> count;
    std::optional<std::chrono::seconds> duration;
};

struct PlaylistDefinition {
    std::string name;
    std::vector<std::string> aliases;
    std::string description;
    std::string query;  // validated by the playlist engine, not here
    std::optional<std::string> sort;
    PlaylistLimit limit;
    bool shuffle = false;
    bool artist_spread = false;
};

struct Config {
    LibraryConfig library;
    DatabaseConfig database;
    AnalysisConfig analysis;
    DaemonConfig daemon;
    PlaylistSettings playlists;
    std::vector<OutputTarget> outputs;
    std::vector<PlaylistDefinition> playlist_definitions;
    std::filesystem::path source;  // the file it came from; empty = built-in defaults
};

// The places load_config() looks when no explicit path is given, in order.
std::vector<std::filesystem::path> config_search_path();

// Loads explicit_path if given (it must exist), else the first file of
// config_search_path() that exists, else the built-in defaults.
// Throws ConfigError on error.
Config load_config(const std::optional<std::filesystem::path>& explicit_path);

// Parses TOML text layered over the built-in defaults; source_name is used in
// error messages and as Config::source. Throws ConfigError on error.
Config parse_config(std::string_view toml, std::string source_name);

// The built-in defaults (config/vibed.toml as compiled in).
Config default_config();

// The text of config/vibed.toml as compiled in.
std::string_view default_config_text();

// Lower-case ASCII letters and digits kept, every other run of ASCII
// characters becomes one '-', no leading or trailing '-'; bytes of non-ASCII
// UTF-8 characters are kept. "Driving Vibes" -> "driving-vibes".
std::string slug(std::string_view name);

// The playlist whose name or alias has the same slug as `key`
// ("driving", "Driving Vibes", "DRIVING-VIBES"), or nullptr.
const PlaylistDefinition* find_playlist(const Config& config, std::string_view key);

std::string_view to_string(PathStyle style);
std::string_view to_string(LogLevel level);

}  // namespace vibed::config
