// The readers of the plain sections: [library], [database], [analysis],
// [daemon], [playlists] and [mpd] (declared in config/section_readers.hpp).
// The array-of-tables sections have files of their own (outputs.cpp,
// playlist_reader.cpp).
#include "config/section_readers.hpp"

#include <map>
#include <string>

#include "config/day_curve_reader.hpp"
#include "config/table_reader.hpp"

namespace vibed::config {
namespace {

ModelChoice parse_model(TableReader& reader, const toml::node& node) {
    const auto& text = reader.expect<toml::value<std::string>>("model", node, "a string").get();
    if (text == "student") return {ModelChoice::Kind::student, {}};
    if (text == "vibenet") return {ModelChoice::Kind::vibenet, {}};
    if (!text.ends_with(".pt")) {
        reader.fail("model", node,
                    "unknown model \"" + text + "\"; expected \"student\", \"vibenet\" or the path of a .pt file");
    }
    return {ModelChoice::Kind::file, reader.to_path("model", node)};
}

std::string parse_mood_model(TableReader& reader, const toml::node& node) {
    const auto& text = reader.expect<toml::value<std::string>>("mood_model", node, "a string").get();
    if (text == "moods" || text == "none") return text;
    if (!text.ends_with(".json")) {
        reader.fail("mood_model", node,
                    "unknown mood model \"" + text + "\"; expected \"moods\", \"none\" or the path of a .json file");
    }
    return reader.to_path("mood_model", node).string();
}

std::string parse_similarity_model(TableReader& reader, const toml::node& node) {
    const auto& text = reader.expect<toml::value<std::string>>("similarity_model", node, "a string").get();
    if (text == "similarity" || text == "none") return text;
    if (!text.ends_with(".json")) {
        reader.fail("similarity_model", node,
                    "unknown similarity model \"" + text +
                        "\"; expected \"similarity\", \"none\" or the path of a .json file");
    }
    return reader.to_path("similarity_model", node).string();
}

MpdChoice parse_mpd_choice(TableReader& reader, const toml::node& node) {
    const auto& text = reader.expect<toml::value<std::string>>("mpd", node, "a string").get();
    if (text == "auto") return {MpdChoice::Kind::automatic, {}};
    if (text == "off") return {MpdChoice::Kind::off, {}};
    if (text.find('/') == std::string::npos && !text.starts_with('~') && !text.starts_with('$')) {
        reader.fail("mpd", node, "unknown value \"" + text + "\"; expected \"auto\", \"off\" or the path of an mpd.conf");
    }
    return {MpdChoice::Kind::file, reader.to_path("mpd", node)};
}

}  // namespace

void read_library(const toml::table& table, LibraryConfig& library) {
    TableReader reader(table, "library");
    reader.read_paths("paths", library.paths);
    if (library.paths.empty()) {
        fail_at(table.source(), "library.paths must list at least one folder");
    }
    reader.read_strings("exclude", library.exclude);
    reader.read("follow_symlinks", library.follow_symlinks);
    reader.reject_unknown_keys();
}

void read_database(const toml::table& table, DatabaseConfig& database) {
    TableReader reader(table, "database");
    reader.read_path("path", database.path);
    reader.reject_unknown_keys();
}

void read_analysis(const toml::table& table, AnalysisConfig& analysis) {
    TableReader reader(table, "analysis");
    if (const auto* node = reader.find("model")) analysis.model = parse_model(reader, *node);
    if (const auto* node = reader.find("mood_model")) analysis.mood_model = parse_mood_model(reader, *node);
    if (const auto* node = reader.find("similarity_model")) {
        analysis.similarity_model = parse_similarity_model(reader, *node);
    }
    reader.read("workers", analysis.workers, 0, 256);
    reader.read("intra_op_threads", analysis.intra_op_threads, 1, 64);
    reader.read("segment_seconds", analysis.segment, 30, 24 * 3600);
    reader.reject_unknown_keys();
}

void read_daemon(const toml::table& table, DaemonConfig& daemon) {
    static const std::map<std::string, LogLevel, std::less<>> kLevels = {
        {"trace", LogLevel::trace}, {"debug", LogLevel::debug}, {"info", LogLevel::info},
        {"warn", LogLevel::warn},   {"error", LogLevel::error}, {"critical", LogLevel::critical},
        {"off", LogLevel::off},
    };
    TableReader reader(table, "daemon");
    reader.read("settle_seconds", daemon.settle, 0, 3600);
    reader.read("rescan_interval_minutes", daemon.rescan_interval, 0, 7 * 24 * 60);
    reader.read_path("socket", daemon.socket);
    reader.read_choice("log_level", daemon.log_level, kLevels);
    reader.reject_unknown_keys();
}

void read_playlist_settings(const toml::table& table, PlaylistSettings& playlists) {
    TableReader reader(table, "playlists");
    reader.read("regenerate_delay_seconds", playlists.regenerate_delay, 0, 3600);
    reader.read("max_entries", playlists.max_entries, 1, 1'000'000);
    reader.read("default_playlists", playlists.default_playlists);
    if (const auto* node = reader.find("mpd")) playlists.mpd = parse_mpd_choice(reader, *node);
    reader.read_path("map_file", playlists.map_file);
    if (const auto* node = reader.find("exclude")) {
        playlists.exclude = reader.expect<toml::value<std::string>>("exclude", *node, "a query string").get();
        playlists.exclude_at = spot_at(node->source());
    }
    reader.reject_unknown_keys();
}

void read_mpd_client(const toml::table& table, MpdClientConfig& mpd) {
    TableReader reader(table, "mpd");
    reader.read("host", mpd.host);
    reader.read("port", mpd.port, 0, 65535);
    reader.read("password", mpd.password);
    reader.read("timeout_seconds", mpd.timeout, 0, 600);
    reader.read_path("music_directory", mpd.music_directory);
    reader.read("keep_playing", mpd.keep_playing);
    reader.read("low_water", mpd.low_water, 0, 100);
    reader.read("add_tracks", mpd.add_tracks, 1, 100);
    reader.read("no_repeat_hours", mpd.no_repeat, 0, 24 * 30);
    if (const auto* node = reader.find("day_curve")) {
        mpd.day_curve = read_day_curve(reader.expect<toml::table>("day_curve", *node, "a table of \"HH:MM\" = \"mood\""));
    }
    // A line break would end the protocol command the value is sent in.
    if (mpd.host.find_first_of("\r\n") != std::string::npos) reader.fail("host", *reader.find("host"), "must not contain a line break");
    if (mpd.password.find_first_of("\r\n") != std::string::npos) {
        reader.fail("password", *reader.find("password"), "must not contain a line break");
    }
    reader.reject_unknown_keys();
}
}  // namespace vibed::config
