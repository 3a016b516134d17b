// vibed: keeps the index of a music library true to the disk and its
// playlists up to date. See docs/architecture.md.

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "config/config.hpp"
#include "daemon/service/daemon.hpp"

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

// Under systemd the journal adds time and unit; send it priorities instead.
void set_up_logging() {
    if (std::getenv("JOURNAL_STREAM") != nullptr) {
        auto logger = std::make_shared<spdlog::logger>("vibed", std::make_shared<spdlog::sinks::systemd_sink_mt>());
        logger->set_pattern("%v");
        spdlog::set_default_logger(logger);
    } else {
        spdlog::set_default_logger(spdlog::stderr_color_mt("vibed"));
        spdlog::set_pattern("%Y-%m-%d %H:%M:%S %^%l%$ %v");
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"vibed: indexes a music library and keeps mood playlists up to date"};
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
        auto config = vibed::config::load_config(config_path);
        if (!library.empty()) config.library.paths = library;
        if (database) config.database.path = std::filesystem::absolute(*database);
        for (auto& path : config.library.paths) path = std::filesystem::absolute(path);
        spdlog::set_level(verbosity >= 2 ? spdlog::level::trace
                          : verbosity == 1 ? spdlog::level::debug
                                           : to_spdlog(config.daemon.log_level));
        spdlog::info("configuration: {}", config.source.empty() ? "built-in defaults" : config.source.string());
        vibed::daemon::Daemon daemon(std::move(config), {config_path, once});
        return daemon.run();
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}
