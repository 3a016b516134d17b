// vibed: keeps the index of a music library true to the disk and its
// playlists up to date. See docs/architecture.md.

#include <CLI/CLI.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "config/config.hpp"
#include "daemon/service/daemon.hpp"
#include "daemon/app/playlist_builder.hpp"
#include "db/sqlite/sqlite.hpp"
#include "playlist/query/text.hpp"

namespace {

spdlog::level::level_enum to_spdlog(vibed::config::LogLevel level) {
    using vibed::config::LogLevel;
    switch (level) {
        case LogLevel::trace: return spdlog::level::trace;
        case LogLevel::debug: return spdlog::level::debug;
        case LogLevel::info: return spdlog::level::info;
        case LogLevel::warn: return spdlog::level::warn;
        case LogLevel::error: return spdlog::level::err;
        case LogLevel::critical: return spdlog::level::critical;
        case LogLevel::off: return spdlog::level::off;
    }
    return spdlog::level::info;
}

// The message with control characters escaped (\x0a, \x1b...): file names
// may hold any byte but '/', and one with a newline or an escape sequence
// must not forge log lines or repaint the terminal.
class EscapedMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& message, const std::tm&, spdlog::memory_buf_t& out) override {
        const std::string shown = vibed::playlist::printable_text({message.payload.data(), message.payload.size()});
        out.append(shown.data(), shown.data() + shown.size());
    }
    [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<EscapedMessage>();
    }
};

void use_pattern(spdlog::logger& logger, const std::string& pattern) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<EscapedMessage>('*').set_pattern(pattern);
    logger.set_formatter(std::move(formatter));
}

// Under systemd the journal adds time and unit; send it priorities instead.
void set_up_logging() {
    std::shared_ptr<spdlog::logger> logger;
    if (std::getenv("JOURNAL_STREAM") != nullptr) {
        logger = std::make_shared<spdlog::logger>("vibed", std::make_shared<spdlog::sinks::systemd_sink_mt>());
        use_pattern(*logger, "%*");
    } else {
        logger = spdlog::stderr_color_mt("vibed");
        use_pattern(*logger, "%Y-%m-%d %H:%M:%S %^%l%$ %*");
    }
    spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"vibed: indexes a music library and keeps mood playlists up to date"};
    app.set_version_flag("--version", std::string("vibed ") + VIBED_VERSION);
    std::optional<std::filesystem::path> config_path;
    std::vector<std::filesystem::path> library;
    std::optional<std::filesystem::path> database;
    int verbosity = 0;
    bool once = false;
    app.add_option("-c,--config", config_path, "Configuration file (default: XDG lookup, then built-in defaults)");
    app.add_option("--library", library, "Library folder(s), overriding the configuration");
    app.add_option("--database", database, "Index database, overriding the configuration");
    app.add_flag("-v,--verbose", verbosity, "More log output (-vv for everything)");
    app.add_flag("--once", once, "Index the library, write the playlists and exit");
    CLI11_PARSE(app, argc, argv);

    set_up_logging();
    try {
        auto config = vibed::daemon::load_checked_config(config_path);
        if (!library.empty()) {
            config.library.paths = library;
            for (auto& path : config.library.paths) path = std::filesystem::absolute(path).lexically_normal();
            vibed::config::add_player_outputs(config);  // whether MPD can play the library depends on it
        }
        if (database) config.database.path = std::filesystem::absolute(*database);
        spdlog::set_level(verbosity >= 2 ? spdlog::level::trace
                          : verbosity == 1 ? spdlog::level::debug
                                           : to_spdlog(config.daemon.log_level));
        spdlog::info("configuration: {}", config.source.empty() ? "built-in defaults" : config.source.string());
        if (config.mpd.target_added) {
            spdlog::info("MPD: writing playlists to {} for {}", config.mpd.playlist_directory.string(),
                         config.mpd.config_file.string());
        } else {
            spdlog::info("MPD: no playlists written for it: {}", config.mpd.reason);
        }
        vibed::daemon::Daemon daemon(std::move(config), {config_path, once});
        return daemon.run();
    } catch (const vibed::db::SqliteError& e) {
        spdlog::critical("{}{}", e.what(),
                         e.is_damaged() ? "; the index is damaged: delete the database file (with its -wal and -shm "
                                          "files) and start vibed again to rebuild it"
                                        : "");
        return 1;
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}
