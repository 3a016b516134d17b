// Loading the configuration: finding the file, reading it, layering it over
// the built-in defaults (config/vibed.toml, compiled in), and the small
// public lookups on the result (slug, find_playlist, names of enums). The
// sections themselves are read in section_readers.cpp, outputs.cpp and
// playlist_reader.cpp.
#include "config/config.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <toml++/toml.h>

#include "config/default_config_text.hpp"
#include "config/section_readers.hpp"
#include "config/table_reader.hpp"
#include "config/xdg.hpp"

namespace vibed::config {
namespace {

namespace fs = std::filesystem;

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
