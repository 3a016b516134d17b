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

#include "core/util/output_target.hpp"

namespace vibed::config {

// A configuration that cannot be read or is invalid. what() starts with one
// line, "file:line:column: message" whenever the problem has a place in a
// file; an error inside a playlist's query adds the line and a caret.
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
    // "moods" (the bundled mood model), "none" (no moods), or the absolute
    // path of a mood model .json file (core::resolve_mood_model reads it).
    std::string mood_model = "moods";
    // "similarity" (the bundled similarity model), "none" (no vectors: no
    // radios, journeys or `vibectl similar`), or the absolute path of a
    // similarity model .json file (core::resolve_similarity_model reads it).
    std::string similarity_model = "similarity";
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

// Whether vibed also writes the playlists where MPD looks for them.
struct MpdChoice {
    enum class Kind { automatic, off, file };
    Kind kind = Kind::automatic;
    std::filesystem::path file;  // only for Kind::file: the mpd.conf to read
};

// Where a value was written, so that errors found after parsing (a bad
// playlist query) point into the file like every other error.
struct SourceSpot {
    std::string file;        // "<built-in defaults>" for the compiled-in file
    std::uint32_t line = 0;  // 1-based; 0 = unknown
    std::uint32_t column = 0;  // 1-based, in characters, of the value's first character
    // The line as written, when the value sits on it verbatim (a one-line
    // string without escapes), so an offset in the value is a column there.
    std::optional<std::string> line_text;
};

// One point of the day curve ([mpd.day_curve] "08:00" = "bright"): the mood
// keep-playing heads for at that time of day. The mood name is checked by the
// application layer (daemon/app/day_curve.hpp) against the playlist engine's mood names.
struct DayCurvePoint {
    std::chrono::minutes time{0};  // since midnight, local time
    std::string mood;
    SourceSpot at;
};

// vibed as an MPD client ([mpd]): `vibectl play` and the keep-playing mode.
// Where MPD listens is resolved in daemon/mpd/mpd_endpoint.hpp ($MPD_HOST,
// $MPD_PORT and $MPD_TIMEOUT come first, as for mpc); empty or 0 here means unset.
struct MpdClientConfig {
    std::string host;      // a host name, an absolute socket path or "@abstract"; may be "password@host"
    unsigned port = 0;     // 0: $MPD_PORT, else 6600
    std::string password;  // empty: none (or the one in MPD_HOST)
    std::chrono::seconds timeout{0};  // every request's limit; 0: $MPD_TIMEOUT, else 10 s
    // MPD's music_directory as vibed sees it. Empty: what MPD itself says
    // (over a local socket), else the music_directory of the detected mpd.conf.
    std::filesystem::path music_directory;
    bool keep_playing = false;  // vibed tops up MPD's queue when it runs low
    unsigned low_water = 2;     // top up when at most this many tracks follow the current one
    unsigned add_tracks = 5;    // how many tracks each top-up appends
    std::chrono::hours no_repeat{0};  // a track played this recently is not appended again
    // Empty: keep-playing follows the queue's own mood. Else it heads for the
    // curve's mood at each time of day; sorted by time, times distinct.
    std::vector<DayCurvePoint> day_curve;
};

struct PlaylistSettings {
    std::chrono::seconds regenerate_delay{0};
    std::size_t max_entries = 0;
    bool default_playlists = true;  // false: only the user's own [[playlist]]s
    MpdChoice mpd;
    // A query whose tracks no playlist and no keep-playing top-up ever holds
    // (e.g. "genre:christmas"); empty: none. Checked by the playlist engine.
    std::string exclude;
    SourceSpot exclude_at;
    // Where vibed keeps the map page (`vibectl map`) up to date whenever it
    // publishes the playlists; empty: it does not.
    std::filesystem::path map_file;
};

// How a playlist file names its tracks and where it goes: the M3U writer's
// types (core/util/output_target.hpp), which the configuration fills.
using util::OutputTarget;
using util::PathStyle;
using util::to_string;

// What vibed found of MPD and did about it, for `vibectl doctor` and the log.
struct MpdFinding {
    std::filesystem::path config_file;         // empty: none found (or `mpd = "off"`)
    std::filesystem::path music_directory;     // empty: not set there
    std::filesystem::path playlist_directory;  // empty: not set there
    bool target_added = false;
    std::string reason;  // one sentence: why playlists are or are not written for MPD
};

// A playlist's cap: a number of tracks, a total duration, or neither.
struct PlaylistLimit {
    std::optional<int> count;
    std::optional<std::chrono::seconds> duration;
};

// What a playlist is: the tracks a rule matches, a radio from the track a
// seed query picks, or a journey from one mood to another (docs/radio.md).
enum class PlaylistKind { rule, radio, journey };

struct PlaylistDefinition {
    std::string name;
    PlaylistKind kind = PlaylistKind::rule;
    std::vector<std::string> aliases;
    std::string description;
    std::string query;  // validated by the playlist engine, not here; for radios and journeys a filter (may be empty)
    std::string seed;   // radio: the query whose most typical match starts it
    std::string from;   // journey: the mood names it starts and ends at (checked by the playlist engine)
    std::string to;
    std::optional<std::string> sort;
    PlaylistLimit limit;
    bool shuffle = false;
    bool artist_spread = false;
    bool enabled = true;  // false: a default playlist the user switched off (never listed)
    SourceSpot query_at;
    SourceSpot sort_at;
    SourceSpot seed_at;
    SourceSpot from_at;
    SourceSpot to_at;
    bool from_defaults = false;  // one of config/vibed.toml's playlists
};

struct Config {
    LibraryConfig library;
    DatabaseConfig database;
    AnalysisConfig analysis;
    DaemonConfig daemon;
    PlaylistSettings playlists;
    MpdClientConfig mpd_client;
    std::vector<OutputTarget> outputs;
    std::vector<PlaylistDefinition> playlist_definitions;
    std::filesystem::path source;  // the file it came from; empty = built-in defaults
    std::string text;              // that file's TOML as parsed (what a running vibed publishes)
    MpdFinding mpd;  // filled by add_player_outputs()
};

// The places load_config() looks when no explicit path is given, in order.
std::vector<std::filesystem::path> config_search_path();

// Loads explicit_path if given (it must exist), else the first file of
// config_search_path() that exists, else the built-in defaults, then calls
// add_player_outputs(). Throws ConfigError on error.
Config load_config(const std::optional<std::filesystem::path>& explicit_path);

// Looks for MPD's configuration as `playlists.mpd` says (config/mpd_config.hpp)
// and, when MPD can play tracks of the library and has a playlist_directory,
// adds an output target there: .m3u, paths relative to its music_directory,
// unless an [[output]] already writes .m3u files to that folder. Fills
// config.mpd either way. Idempotent: call it again after changing
// library.paths. Throws ConfigError for an mpd.conf named in the config that
// cannot be read; one found on its own that cannot be read is only reported.
void add_player_outputs(Config& config);

// Parses TOML text layered over the built-in defaults; source_name is used in
// error messages and as Config::source. Throws ConfigError on error.
Config parse_config(std::string_view toml, std::string source_name);

// The built-in defaults (config/vibed.toml as compiled in).
Config default_config();

// The text of config/vibed.toml as compiled in.
std::string_view default_config_text();

// "08:00", "8:00", "23:59" as minutes since midnight; nullopt for anything
// else. The day curve's keys and `vibectl journey --until`.
std::optional<std::chrono::minutes> parse_time_of_day(std::string_view text);

// The lookup key of a playlist name (not its file name: see
// playlist::playlist_file_name). Lower-case ASCII letters and digits kept, every other run of ASCII
// characters becomes one '-', no leading or trailing '-'; bytes of non-ASCII
// UTF-8 characters are kept. "Driving Vibes" -> "driving-vibes".
std::string slug(std::string_view name);

// The playlist whose name or alias has the same slug as `key`
// ("driving", "Driving Vibes", "DRIVING-VIBES"), or nullptr.
const PlaylistDefinition* find_playlist(const Config& config, std::string_view key);

std::string_view to_string(PlaylistKind kind);
std::string_view to_string(LogLevel level);

}  // namespace vibed::config
