#include "daemon/cli/library_access.hpp"

#include <cstdio>
#include <utility>

#include "daemon/control/control_client.hpp"
#include "daemon/control/daemon_record.hpp"
#include "playlist/query/fields.hpp"

namespace vibed::daemon {

namespace {

// The running daemon's configuration as it runs: its file (when it has one),
// its socket and its database (--database included). When that file broke
// after the daemon started (the daemon keeps the old one), the built-in
// defaults with the daemon's socket and database.
// The built-in defaults as vibed runs on them: with MPD's output when MPD is found.
config::Config defaults_with_player_outputs() {
    config::Config config = config::default_config();
    try {
        config::add_player_outputs(config);
    } catch (const std::exception&) {
        // an unreadable mpd.conf only costs the MPD output here
    }
    return config;
}

// The configuration the daemon runs: the text it published (its file may
// have changed since), else (a daemon from before config_text) its file.
config::Config running_daemon_config(const DaemonRecord& record) {
    config::Config config;
    try {
        if (!record.config_text.empty()) {
            config = config::parse_config(record.config_text, record.config.string());
            config::add_player_outputs(config);
        } else {
            config = record.config.empty() ? defaults_with_player_outputs() : load_checked_config(record.config);
        }
    } catch (const std::exception&) {
        config = defaults_with_player_outputs();
    }
    config.daemon.socket = record.socket;
    if (!record.database.empty()) config.database.path = record.database;
    return config;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

config::Config fallback_for_broken(const config::ConfigError& error, bool& noted) {
    const bool say = !std::exchange(noted, true);
    if (const auto record = read_daemon_record()) {
        if (say) {
            std::fprintf(stderr, "vibectl: %s; the config is broken, using the running vibed's (pid %d, %s)\n",
                         first_line(error.what()).c_str(), static_cast<int>(record->pid),
                         record->config.empty() ? "built-in defaults" : record->config.c_str());
        }
        return running_daemon_config(*record);
    }
    if (say) std::fprintf(stderr, "vibectl: %s; the config is broken, using the built-in defaults\n",
                 first_line(error.what()).c_str());
    return defaults_with_player_outputs();
}

// The file vibectl found is not what the daemon runs: edited (or added)
// since it last read it. Said once per command.
void note_unapplied_changes(const config::Config& found, const DaemonRecord& record, bool& noted) {
    if (found.source.empty() || noted) return;
    const bool same_file = !record.config.empty() && std::filesystem::absolute(found.source) == record.config;
    std::string what;
    if (same_file && found.text != record.config_text && !record.config_text.empty()) {
        what = found.source.string() + " changed since vibed (pid " + std::to_string(record.pid) + ") read it";
    } else if (record.config.empty()) {
        what = "vibed (pid " + std::to_string(record.pid) + ") runs the built-in defaults, not " + found.source.string();
    } else {
        return;
    }
    noted = true;
    std::fprintf(stderr, "vibectl: %s; `vibectl reload` applies it (shown: what vibed runs)\n", what.c_str());
}

}  // namespace

config::Config load_cli_config(const CliContext& context, ConfigUse use) {
    config::Config config;
    try {
        // The playlists' rules too: a file vibed would refuse is broken here as well.
        config = load_checked_config(context.config_path);
    } catch (const config::ConfigError& e) {
        if (use == ConfigUse::acting) throw;
        return fallback_for_broken(e, context.broken_config_noted);
    }
    if (context.config_path) return config;
    // Not told which: what the running vibed runs, unless another daemon
    // listens where this file says.
    const auto record = read_daemon_record();
    if (!record || (record->socket != config.daemon.socket && daemon_listens(config.daemon.socket))) return config;
    note_unapplied_changes(config, *record, context.running_config_noted);
    return running_daemon_config(*record);
}

LibraryAccess open_library(const CliContext& context, ConfigUse use) {
    config::Config config = load_cli_config(context, use);
    const auto record = read_daemon_record();
    return open_library(std::move(config), record ? record->model : std::nullopt);
}

std::string query_from_words(const std::vector<std::string>& words) {
    std::string text;
    for (const auto& word : words) {
        std::string term = word;
        const std::size_t colon = word.find(':');
        const bool field_like = colon != std::string::npos && playlist::find_field(word.substr(0, colon)) != nullptr;
        if (field_like && word.find_first_of(" \t") != std::string::npos && word.find('"') == std::string::npos) {
            term = word.substr(0, colon + 1) + '"' + word.substr(colon + 1) + '"';
        }
        text += (text.empty() ? "" : " ") + term;
    }
    return text;
}

}  // namespace vibed::daemon
