#include "daemon/cli/library_access.hpp"

#include <cstdio>
#include <utility>

#include "daemon/control/control_client.hpp"
#include "daemon/control/daemon_record.hpp"

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

config::Config running_daemon_config(const DaemonRecord& record) {
    config::Config config;
    try {
        config = record.config.empty() ? defaults_with_player_outputs() : config::load_config(record.config);
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

}  // namespace

config::Config load_cli_config(const CliContext& context, ConfigUse use) {
    config::Config config;
    try {
        config = config::load_config(context.config_path);
    } catch (const config::ConfigError& e) {
        if (use == ConfigUse::acting) throw;
        return fallback_for_broken(e, context.broken_config_noted);
    }
    if (context.config_path || daemon_listens(config.daemon.socket)) return config;
    if (const auto record = read_daemon_record(); record && record->socket != config.daemon.socket) {
        return running_daemon_config(*record);
    }
    return config;
}

LibraryAccess open_library(const CliContext& context, ConfigUse use) {
    config::Config config = load_cli_config(context, use);
    const auto record = read_daemon_record();
    return open_library(std::move(config), record ? record->model : std::nullopt);
}

}  // namespace vibed::daemon
