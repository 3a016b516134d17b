#include "config/config.hpp"
#include "config/day_curve_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <toml++/toml.h>

#include "config/default_config_text.hpp"
#include "config/mpd_config.hpp"
#include "config/xdg.hpp"
#include "core/util/path_tree.hpp"

namespace vibed::config {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kBuiltInSourceName = "<built-in defaults>";

std::string location(const toml::source_region& region) {
    const std::string file = region.path ? *region.path : std::string("<config>");
    return file + ":" + std::to_string(region.begin.line) + ":" + std::to_string(region.begin.column);
}

[[noreturn]] void fail_at(const toml::source_region& region, const std::string& message) {
    throw ConfigError(location(region) + ": " + message);
}

std::string_view describe(toml::node_type type) {
    switch (type) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a number";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::date:
        case toml::node_type::time:
        case toml::node_type::date_time: return "a date/time";
        case toml::node_type::none: break;
    }
    return "nothing";
}

// Reads the keys of one TOML table into typed values. It remembers which keys
// it was asked for, so everything else can be reported as an unknown key.
class TableReader {
public:
    // `name` is the table's dotted name in messages; empty for the document root.
    TableReader(const toml::table& table, std::string name) : table_(table), name_(std::move(name)) {}

    // The node under `key`, or nullptr when the key is absent.
    const toml::node* find(std::string_view key) {
        known_.emplace(key);
        return table_.get(key);
    }

    [[noreturn]] void fail(std::string_view key, const toml::node& node, const std::string& message) const {
        fail_at(node.source(), qualified(key) + ": " + message);
    }

    template <typename T>
    const T& expect(std::string_view key, const toml::node& node, std::string_view what) const {
        const T* value = node.as<T>();
        if (value == nullptr) {
            fail(key, node, "expected " + std::string(what) + ", got " + std::string(describe(node.type())));
        }
        return *value;
    }

    void read(std::string_view key, bool& out) {
        if (const auto* node = find(key)) out = expect<toml::value<bool>>(key, *node, "true or false").get();
    }

    void read(std::string_view key, std::string& out) {
        if (const auto* node = find(key)) out = expect<toml::value<std::string>>(key, *node, "a string").get();
    }

    template <typename Integer>
    void read(std::string_view key, Integer& out, std::int64_t min, std::int64_t max) {
        const auto* node = find(key);
        if (node == nullptr) return;
        const std::int64_t value = expect<toml::value<std::int64_t>>(key, *node, "an integer").get();
        if (value < min || value > max) {
            fail(key, *node, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                                 ", got " + std::to_string(value));
        }
        out = static_cast<Integer>(value);
    }

    template <typename Rep, typename Period>
    void read(std::string_view key, std::chrono::duration<Rep, Period>& out, std::int64_t min, std::int64_t max) {
        Rep count = out.count();
        read(key, count, min, max);
        out = std::chrono::duration<Rep, Period>(count);
    }

    void read_path(std::string_view key, fs::path& out) {
        if (const auto* node = find(key)) out = to_path(key, *node);
    }

    void read_paths(std::string_view key, std::vector<fs::path>& out) {
        const auto* node = find(key);
        if (node == nullptr) return;
        std::vector<fs::path> paths;
        for (const auto& element : expect<toml::array>(key, *node, "an array of paths")) {
            paths.push_back(to_path(key, element));
        }
        out = std::move(paths);
    }

    void read_strings(std::string_view key, std::vector<std::string>& out) {
        const auto* node = find(key);
        if (node == nullptr) return;
        std::vector<std::string> strings;
        for (const auto& element : expect<toml::array>(key, *node, "an array of strings")) {
            const auto& text = expect<toml::value<std::string>>(key, element, "a string").get();
            if (text.empty()) fail(key, element, "must not be empty");
            strings.push_back(text);
        }
        out = std::move(strings);
    }

    // Reads a string that must be one of `choices`' keys, storing the key's value.
    template <typename Value>
    void read_choice(std::string_view key, Value& out, const std::map<std::string, Value, std::less<>>& choices) {
        const auto* node = find(key);
        if (node == nullptr) return;
        const auto& text = expect<toml::value<std::string>>(key, *node, "a string").get();
        const auto it = choices.find(text);
        if (it == choices.end()) {
            std::string expected;
            for (const auto& [name, value] : choices) {
                expected += (expected.empty() ? "\"" : ", \"") + name + "\"";
            }
            fail(key, *node, "unknown value \"" + text + "\"; expected one of " + expected);
        }
        out = it->second;
    }

    // A path value with ~ and $XDG_* expanded; it must be absolute.
    fs::path to_path(std::string_view key, const toml::node& node) const {
        const auto& text = expect<toml::value<std::string>>(key, node, "a path string").get();
        if (text.empty()) fail(key, node, "must not be empty");
        fs::path path;
        try {
            path = expand_path(text);
        } catch (const std::invalid_argument& error) {
            fail(key, node, error.what());
        }
        if (!path.is_absolute()) {
            fail(key, node, "\"" + text + "\" must be an absolute path (it may start with ~ or $XDG_...)");
        }
        return path;
    }

    // Every key of the table must have been asked for.
    void reject_unknown_keys() const {
        for (const auto& [key, node] : table_) {
            if (!known_.contains(key.str())) {
                const std::string where = name_.empty() ? "" : " in [" + name_ + "]";
                fail_at(key.source(), "unknown key \"" + std::string(key.str()) + "\"" + where);
            }
        }
    }

private:
    [[nodiscard]] std::string qualified(std::string_view key) const {
        return name_.empty() ? std::string(key) : name_ + "." + std::string(key);
    }

    const toml::table& table_;
    std::string name_;
    std::set<std::string, std::less<>> known_;
};

// The table under `key`, or nullptr when absent.
const toml::table* find_table(TableReader& parent, std::string_view key) {
    const auto* node = parent.find(key);
    if (node == nullptr) return nullptr;
    return &parent.expect<toml::table>(key, *node, "a table");
}

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

MpdChoice parse_mpd_choice(TableReader& reader, const toml::node& node) {
    const auto& text = reader.expect<toml::value<std::string>>("mpd", node, "a string").get();
    if (text == "auto") return {MpdChoice::Kind::automatic, {}};
    if (text == "off") return {MpdChoice::Kind::off, {}};
    if (text.find('/') == std::string::npos && !text.starts_with('~') && !text.starts_with('$')) {
        reader.fail("mpd", node, "unknown value \"" + text + "\"; expected \"auto\", \"off\" or the path of an mpd.conf");
    }
    return {MpdChoice::Kind::file, reader.to_path("mpd", node)};
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
        const auto& region = node->source();
        playlists.exclude_at = {region.path ? *region.path : std::string("<config>"), region.begin.line,
                                region.begin.column, {}};
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

// The tables of an array of tables ([[output]], [[playlist]]), each handed to `read_entry`.
template <typename Entry, typename ReadEntry>
void read_table_array(TableReader& root, std::string_view key, std::vector<Entry>& out, ReadEntry read_entry) {
    const auto* node = root.find(key);
    if (node == nullptr) return;
    std::vector<Entry> entries;
    for (const auto& element : root.expect<toml::array>(key, *node, "an array of tables ([[" + std::string(key) + "]])")) {
        entries.push_back(read_entry(root.expect<toml::table>(key, element, "a table")));
    }
    out = std::move(entries);
}

OutputTarget read_output(const toml::table& table) {
    static const std::map<std::string, PathStyle, std::less<>> kStyles = {
        {"absolute", PathStyle::absolute},
        {"relative-to-playlist", PathStyle::relative_to_playlist},
        {"relative-to-library", PathStyle::relative_to_library},
        {"uri", PathStyle::uri},
    };
    static const std::map<std::string, std::string, std::less<>> kExtensions = {{".m3u", ".m3u"}, {".m3u8", ".m3u8"}};
    TableReader reader(table, "output");
    OutputTarget output;
    if (reader.find("folder") == nullptr) fail_at(table.source(), "[[output]] needs a folder");
    reader.read_path("folder", output.folder);
    reader.read_choice("extension", output.extension, kExtensions);
    reader.read_choice("path_style", output.path_style, kStyles);
    reader.read_path("relative_to", output.relative_to);
    if (!output.relative_to.empty() && output.path_style != PathStyle::relative_to_library) {
        reader.fail("relative_to", *reader.find("relative_to"), "only applies to path_style = \"relative-to-library\"");
    }
    reader.read("prefix", output.prefix);
    if (output.prefix.find_first_of("\r\n") != std::string::npos) {
        reader.fail("prefix", *reader.find("prefix"), "must not contain a line break");
    }
    reader.reject_unknown_keys();
    output.origin = table.source().path && *table.source().path != kBuiltInSourceName ? location(table.source())
                                                                                       : "built-in defaults";
    return output;
}

// "1h30m" -> 5400 s; nullopt when the text is not a duration.
std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    std::chrono::seconds total{0};
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::int64_t number = 0;
        const std::size_t digits_start = pos;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) {
            number = number * 10 + (text[pos++] - '0');
            if (number > 1'000'000) return std::nullopt;
        }
        if (pos == digits_start || pos == text.size()) return std::nullopt;
        switch (text[pos++]) {
            case 'h': total += std::chrono::hours(number); break;
            case 'm': total += std::chrono::minutes(number); break;
            case 's': total += std::chrono::seconds(number); break;
            default: return std::nullopt;
        }
    }
    if (total.count() == 0) return std::nullopt;
    return total;
}

PlaylistLimit parse_limit(TableReader& reader, const toml::node& node) {
    constexpr std::string_view kExpected = "expected a track count (50) or a duration (\"90m\", \"2h\", \"1h30m\")";
    if (const auto* count = node.as<std::int64_t>()) {
        if (count->get() < 1 || count->get() > INT_MAX) reader.fail("limit", node, "a track count must be at least 1");
        return {static_cast<int>(count->get()), std::nullopt};
    }
    const auto* text = node.as<std::string>();
    if (text == nullptr) reader.fail("limit", node, std::string(kExpected));
    const std::string& value = text->get();
    const bool all_digits = !value.empty() && value.size() <= 9 &&
                            std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    if (all_digits && std::stoi(value) > 0) return {std::stoi(value), std::nullopt};
    if (auto duration = parse_duration(value)) return {std::nullopt, duration};
    reader.fail("limit", node, "\"" + value + "\": " + std::string(kExpected));
}

// The line `line` (1-based) of `document`, without its line break.
std::string_view document_line(std::string_view document, std::uint32_t line) {
    std::size_t start = 0;
    for (std::uint32_t i = 1; i < line; ++i) {
        start = document.find('\n', start);
        if (start == std::string_view::npos) return {};
        ++start;
    }
    const std::size_t end = document.find('\n', start);
    return document.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

// Byte offset of the 1-based character column `column` in `line`.
std::size_t byte_of_column(std::string_view line, std::uint32_t column) {
    std::size_t byte = 0;
    for (std::uint32_t c = 1; c < column && byte < line.size(); ++c) {
        ++byte;
        while (byte < line.size() && (static_cast<unsigned char>(line[byte]) & 0xC0) == 0x80) ++byte;
    }
    return byte;
}

// Where the string `node` holding `value` was written. When the line shows it
// verbatim between quotes, the spot is its first character and the line is kept.
SourceSpot spot_of(const toml::node& node, const std::string& value, std::string_view document) {
    const auto& region = node.source();
    SourceSpot spot{region.path ? *region.path : std::string("<config>"), region.begin.line, region.begin.column, {}};
    const std::string_view line = document_line(document, region.begin.line);
    const std::size_t quote = byte_of_column(line, region.begin.column);
    if (quote < line.size() && (line[quote] == '"' || line[quote] == '\'') &&
        line.substr(quote + 1, value.size()) == value && line.size() > quote + 1 + value.size() &&
        line[quote + 1 + value.size()] == line[quote]) {
        spot.column = region.begin.column + 1;
        spot.line_text = std::string(line);
    }
    return spot;
}

// One [[playlist]] table read over `base`: a fresh definition, or the
// default playlist of the same name whose keys the table changes.
void read_kind(TableReader& reader, PlaylistDefinition& playlist) {
    const auto* kind = reader.find("kind");
    if (kind == nullptr) return;
    const auto& text = reader.expect<toml::value<std::string>>("kind", *kind, "a string").get();
    if (text == "rule") {
        playlist.kind = PlaylistKind::rule;
    } else if (text == "radio") {
        playlist.kind = PlaylistKind::radio;
    } else if (text == "journey") {
        playlist.kind = PlaylistKind::journey;
    } else {
        reader.fail("kind", *kind, "unknown kind \"" + text + "\"; expected \"rule\", \"radio\" or \"journey\"");
    }
}

// The keys of the other kinds (seed; from, to), read where they belong and refused elsewhere.
void read_kind_keys(TableReader& reader, const toml::table& table, PlaylistDefinition& playlist,
                    std::string_view document) {
    const auto read_kind_key = [&](std::string_view key, PlaylistKind owner, std::string& value, SourceSpot& at) {
        const auto* node = reader.find(key);
        if (node == nullptr) {
            if (playlist.kind == owner && value.empty() && playlist.enabled) {
                fail_at(table.source(), "[[playlist]] \"" + playlist.name + "\" of kind \"" +
                                            std::string(to_string(owner)) + "\" needs " + std::string(key));
            }
            return;
        }
        if (playlist.kind != owner) {
            reader.fail(key, *node, std::string(key) + " is for playlists of kind \"" + std::string(to_string(owner)) + "\"");
        }
        reader.read(key, value);
        if (value.empty()) reader.fail(key, *node, "must not be empty");
        at = spot_of(*node, value, document);
    };
    read_kind_key("seed", PlaylistKind::radio, playlist.seed, playlist.seed_at);
    read_kind_key("from", PlaylistKind::journey, playlist.from, playlist.from_at);
    read_kind_key("to", PlaylistKind::journey, playlist.to, playlist.to_at);
}

// sort and shuffle: a rule playlist's own; radios and journeys choose their order.
void read_order_keys(TableReader& reader, PlaylistDefinition& playlist, std::string_view document) {
    if (playlist.kind != PlaylistKind::rule) {
        for (const std::string_view key : {"sort", "shuffle"}) {
            if (const auto* node = reader.find(key)) {
                reader.fail(key, *node, "a " + std::string(to_string(playlist.kind)) + " chooses its own order; " +
                                            std::string(key) + " is for rule playlists");
            }
        }
    }
    if (const auto* sort = reader.find("sort")) {
        playlist.sort = reader.expect<toml::value<std::string>>("sort", *sort, "a string").get();
        playlist.sort_at = spot_of(*sort, *playlist.sort, document);
    }
}

PlaylistDefinition read_playlist(const toml::table& table, PlaylistDefinition base, std::string_view document) {
    TableReader reader(table, "playlist");
    PlaylistDefinition playlist = std::move(base);
    const bool overrides_default = playlist.from_defaults;
    playlist.from_defaults = table.source().path && *table.source().path == kBuiltInSourceName;
    if (reader.find("name") == nullptr) fail_at(table.source(), "[[playlist]] needs a name");
    reader.read("name", playlist.name);
    if (slug(playlist.name).empty()) {
        reader.fail("name", *reader.find("name"), "\"" + playlist.name + "\" needs at least one letter or digit");
    }
    reader.read("enabled", playlist.enabled);
    read_kind(reader, playlist);
    if (playlist.enabled && !overrides_default && playlist.kind == PlaylistKind::rule && reader.find("query") == nullptr) {
        fail_at(table.source(), "[[playlist]] \"" + playlist.name + "\" needs a query");
    }
    read_kind_keys(reader, table, playlist, document);
    reader.read_strings("aliases", playlist.aliases);
    reader.read("description", playlist.description);
    if (const auto* query = reader.find("query")) {
        reader.read("query", playlist.query);
        if (playlist.query.empty()) reader.fail("query", *query, "must not be empty");
        playlist.query_at = spot_of(*query, playlist.query, document);
    }
    read_order_keys(reader, playlist, document);
    if (const auto* limit = reader.find("limit")) playlist.limit = parse_limit(reader, *limit);
    reader.read("shuffle", playlist.shuffle);
    reader.read("artist_spread", playlist.artist_spread);
    reader.reject_unknown_keys();
    return playlist;
}

// The names and aliases of the playlists so far, by slug: how users pick a
// playlist, so no two may share one (compared by slug, thus ignoring case).
class LookupKeys {
public:
    void add(const PlaylistDefinition& playlist) {
        for (const auto& key : keys_of(playlist)) owner_by_slug_.emplace(slug(key), playlist.name);
    }

    void remove(const PlaylistDefinition& playlist) {
        for (const auto& key : keys_of(playlist)) owner_by_slug_.erase(slug(key));
    }

    // Adds the keys of a playlist read from `table`, failing at the clashing one.
    void add_checked(const PlaylistDefinition& playlist, const toml::table& table) {
        std::set<std::string> own;
        for (const auto& key : keys_of(playlist)) {
            const std::string key_slug = slug(key);
            if (!own.insert(key_slug).second) continue;  // a playlist may repeat itself
            const auto it = owner_by_slug_.find(key_slug);
            if (it != owner_by_slug_.end()) {
                fail_at(node_of(table, key).source(),
                        "\"" + key + "\" of playlist \"" + playlist.name + "\" is already a name or alias of playlist \"" +
                            it->second + "\"");
            }
        }
        add(playlist);
    }

private:
    static std::vector<std::string> keys_of(const PlaylistDefinition& playlist) {
        std::vector<std::string> keys = {playlist.name};
        keys.insert(keys.end(), playlist.aliases.begin(), playlist.aliases.end());
        return keys;
    }

    // The node that wrote `key` (the name or one alias), else the table.
    static const toml::node& node_of(const toml::table& table, const std::string& key) {
        if (const auto* aliases = table.get_as<toml::array>("aliases")) {
            for (const auto& alias : *aliases) {
                if (alias.value_or(std::string()) == key) return alias;
            }
        }
        if (const auto* name = table.get("name")) return *name;
        return table;
    }

    std::map<std::string, std::string> owner_by_slug_;
};

// The file's [[playlist]] tables merged into `playlists`: a table named like
// one of them (a default playlist) changes that one; `enabled = false` drops
// it; any other name is a new playlist, added after the others.
void read_playlists(const toml::array& tables, std::vector<PlaylistDefinition>& playlists, std::string_view document) {
    LookupKeys keys;
    for (const auto& playlist : playlists) keys.add(playlist);
    std::set<std::string> read_here;
    for (const auto& element : tables) {
        const auto* table = element.as_table();
        if (table == nullptr) fail_at(element.source(), "playlist: expected a table ([[playlist]])");
        const std::string name_slug = slug((*table)["name"].value_or(std::string()));
        if (!name_slug.empty() && !read_here.insert(name_slug).second) {
            fail_at(table->get("name")->source(), "a playlist named \"" + (*table)["name"].value_or(std::string()) +
                                                      "\" is already configured in this file");
        }
        const auto existing = std::find_if(playlists.begin(), playlists.end(),
                                           [&](const PlaylistDefinition& p) { return slug(p.name) == name_slug; });
        PlaylistDefinition base;
        if (existing != playlists.end()) {
            base = *existing;
            keys.remove(*existing);
        }
        PlaylistDefinition playlist = read_playlist(*table, std::move(base), document);
        keys.add_checked(playlist, *table);
        if (existing != playlists.end()) {
            *existing = std::move(playlist);
        } else {
            playlists.push_back(std::move(playlist));
        }
    }
}

// Two outputs writing the same files would overwrite each other's playlists.
void check_distinct_outputs(const toml::table& root, const std::vector<OutputTarget>& outputs) {
    const auto* tables = root.get_as<toml::array>("output");
    if (tables == nullptr) return;
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (outputs[i].folder == outputs[j].folder && outputs[i].extension == outputs[j].extension) {
                fail_at((*tables)[i].source(), "[[output]] writes the same " + outputs[i].extension + " files to " +
                                                   outputs[i].folder.string() + " as an earlier [[output]]");
            }
        }
    }
}

// Applies every key present in `root` on top of `config`.
void apply(const toml::table& root, std::string_view document, Config& config) {
    TableReader reader(root, "");
    if (const auto* table = find_table(reader, "library")) read_library(*table, config.library);
    if (const auto* table = find_table(reader, "database")) read_database(*table, config.database);
    if (const auto* table = find_table(reader, "analysis")) read_analysis(*table, config.analysis);
    if (const auto* table = find_table(reader, "daemon")) read_daemon(*table, config.daemon);
    if (const auto* table = find_table(reader, "playlists")) read_playlist_settings(*table, config.playlists);
    if (const auto* table = find_table(reader, "mpd")) read_mpd_client(*table, config.mpd_client);
    read_table_array(reader, "output", config.outputs, read_output);
    if (!config.playlists.default_playlists) {
        std::erase_if(config.playlist_definitions, [](const PlaylistDefinition& p) { return p.from_defaults; });
    }
    if (const auto* node = reader.find("playlist")) {
        read_playlists(reader.expect<toml::array>("playlist", *node, "an array of tables ([[playlist]])"),
                       config.playlist_definitions, document);
    }
    std::erase_if(config.playlist_definitions, [](const PlaylistDefinition& p) { return !p.enabled; });
    check_distinct_outputs(root, config.outputs);
    reader.reject_unknown_keys();
}

toml::table parse_toml(std::string_view text, const std::string& source_name) {
    try {
        return toml::parse(text, source_name);
    } catch (const toml::parse_error& error) {
        fail_at(error.source(), std::string(error.description()));
    }
}

Config parse_over(const Config& base, std::string_view text, std::string source_name) {
    Config config = base;
    apply(parse_toml(text, source_name), text, config);
    config.source = std::move(source_name);
    return config;
}

std::string read_file(const fs::path& path) {
    std::error_code ignored;
    // Opening a folder "succeeds" and reads as empty, which would silently mean the defaults.
    if (fs::is_directory(path, ignored)) throw ConfigError(path.string() + ": cannot read config file: it is a folder");
    std::ifstream file(path, std::ios::binary);
    if (!file) throw ConfigError(path.string() + ": cannot read config file: " + std::strerror(errno));
    std::ostringstream text;
    text << file.rdbuf();
    if (file.bad()) throw ConfigError(path.string() + ": cannot read config file");
    return std::move(text).str();
}

}  // namespace

unsigned AnalysisConfig::worker_count() const {
    if (workers != 0) return workers;
    return std::max(1u, std::thread::hardware_concurrency());
}

std::vector<fs::path> config_search_path() {
    std::vector<fs::path> candidates;
    try {
        candidates.push_back(*xdg_directory("XDG_CONFIG_HOME") / "vibed/config.toml");
    } catch (const std::invalid_argument&) {
        // No home directory at all (a bare service account): only /etc applies.
    }
    candidates.emplace_back("/etc/vibed/config.toml");
    return candidates;
}

Config load_config(const std::optional<fs::path>& explicit_path) {
    Config config = [&] {
        if (explicit_path) return parse_config(read_file(*explicit_path), explicit_path->string());
        for (const auto& candidate : config_search_path()) {
            std::error_code ignored;
            if (fs::exists(candidate, ignored)) return parse_config(read_file(candidate), candidate.string());
        }
        return default_config();
    }();
    add_player_outputs(config);
    return config;
}

namespace {

// Fills mpd's directories from its config file; false (with the reason) when
// MPD cannot take playlists of this library.
bool read_mpd_directories(const Config& config, MpdFinding& mpd) {
    MpdDirectories directories;
    try {
        directories = read_mpd_config(mpd.config_file);
    } catch (const ConfigError& error) {
        // The file vibed found on its own (Debian's /etc/mpd.conf is readable
        // only by mpd and audio) must not keep vibed from starting.
        if (config.playlists.mpd.kind == MpdChoice::Kind::file) throw;
        mpd.reason = std::string(error.what()) + "; no playlists are written for MPD";
        return false;
    }
    mpd.music_directory = directories.music_directory;
    mpd.playlist_directory = directories.playlist_directory;
    const std::string conf = mpd.config_file.string();
    if (mpd.music_directory.empty() && mpd.config_file != "/etc/mpd.conf") {
        // A user's MPD without music_directory plays the XDG music folder.
        mpd.music_directory = *xdg_directory("XDG_MUSIC_DIR");
    }
    if (mpd.playlist_directory.empty()) {
        mpd.reason = conf + " sets no playlist_directory, so MPD has no stored playlists";
        return false;
    }
    if (mpd.music_directory.empty()) {
        mpd.reason = conf + " sets no music_directory, so MPD cannot play files from the library";
        return false;
    }
    return true;
}

}  // namespace

void add_player_outputs(Config& config) {
    std::erase_if(config.outputs, [](const OutputTarget& output) { return output.from_mpd; });
    config.mpd = MpdFinding{};
    MpdFinding& mpd = config.mpd;
    const MpdChoice& choice = config.playlists.mpd;
    if (choice.kind == MpdChoice::Kind::off) {
        mpd.reason = "playlists.mpd is \"off\"";
        return;
    }
    if (choice.kind == MpdChoice::Kind::file) {
        mpd.config_file = choice.file;
    } else if (auto found = find_mpd_config()) {
        mpd.config_file = *found;
    } else {
        mpd.reason = "no MPD configuration found (MPD reads the first of $XDG_CONFIG_HOME/mpd/mpd.conf, "
                     "~/.mpdconf, ~/.mpd/mpd.conf, /etc/mpd.conf)";
        return;
    }
    if (!read_mpd_directories(config, mpd)) return;
    std::error_code ignored;
    const fs::path music = fs::weakly_canonical(mpd.music_directory, ignored);
    const bool shares_tracks = std::any_of(config.library.paths.begin(), config.library.paths.end(), [&](const fs::path& root) {
        const fs::path library = fs::weakly_canonical(root, ignored);
        return util::is_at_or_under(library, music) || util::is_at_or_under(music, library);
    });
    if (!shares_tracks) {
        mpd.reason = "MPD's music_directory " + mpd.music_directory.string() +
                     " neither holds nor lies inside a library folder, so MPD could play none of its tracks";
        return;
    }
    for (const auto& output : config.outputs) {
        if (output.extension == ".m3u" &&
            fs::weakly_canonical(output.folder, ignored) == fs::weakly_canonical(mpd.playlist_directory, ignored)) {
            mpd.reason = "the [[output]] at " + output.origin + " already writes .m3u files to MPD's playlist_directory";
            return;
        }
    }
    OutputTarget target;
    target.folder = mpd.playlist_directory;
    target.extension = ".m3u";
    target.path_style = PathStyle::relative_to_library;
    target.relative_to = mpd.music_directory;
    target.origin = "MPD (" + mpd.config_file.string() + ")";
    target.from_mpd = true;
    config.outputs.push_back(std::move(target));
    mpd.target_added = true;
    mpd.reason = "MPD lists .m3u files in its playlist_directory and resolves their paths against its music_directory";
}

Config parse_config(std::string_view toml, std::string source_name) {
    Config config = parse_over(default_config(), toml, std::move(source_name));
    config.text = toml;
    return config;
}

Config default_config() {
    // Parsed on every call (it takes well under a millisecond) so that $XDG_*
    // always reflect the current environment.
    Config config = parse_over(Config{}, generated::kDefaultConfigToml, std::string(kBuiltInSourceName));
    config.source.clear();
    return config;
}

std::string_view default_config_text() { return generated::kDefaultConfigToml; }

std::string slug(std::string_view name) {
    std::string result;
    bool pending_dash = false;
    for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x80 || std::isalnum(byte) != 0) {
            if (pending_dash && !result.empty()) result += '-';
            pending_dash = false;
            result += static_cast<char>(std::tolower(byte));
        } else {
            pending_dash = true;
        }
    }
    return result;
}

const PlaylistDefinition* find_playlist(const Config& config, std::string_view key) {
    const std::string wanted = slug(key);
    if (wanted.empty()) return nullptr;
    for (const auto& playlist : config.playlist_definitions) {
        if (slug(playlist.name) == wanted) return &playlist;
        for (const auto& alias : playlist.aliases) {
            if (slug(alias) == wanted) return &playlist;
        }
    }
    return nullptr;
}

std::string_view to_string(PlaylistKind kind) {
    switch (kind) {
        case PlaylistKind::rule: return "rule";
        case PlaylistKind::radio: return "radio";
        case PlaylistKind::journey: return "journey";
    }
    return "?";
}

std::string_view to_string(LogLevel level) {
    switch (level) {
        case LogLevel::trace: return "trace";
        case LogLevel::debug: return "debug";
        case LogLevel::info: return "info";
        case LogLevel::warn: return "warn";
        case LogLevel::error: return "error";
        case LogLevel::critical: return "critical";
        case LogLevel::off: return "off";
    }
    return "?";
}

}  // namespace vibed::config
