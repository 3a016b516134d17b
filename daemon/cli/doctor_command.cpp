#include "daemon/cli/doctor_command.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "config/mpd_config.hpp"
#include "daemon/cli/library_access.hpp"
#include "playlist/m3u/atomic_file.hpp"
#include "playlist/m3u/m3u_writer.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

// Who reads a path style, in one line (docs/configuration.md says more).
std::string_view readers_of(config::PathStyle style) {
    switch (style) {
        case config::PathStyle::absolute:
            return "MPD (for tracks inside its music_directory), Navidrome, most players; "
                   "VLC cannot open names with '#' or '?' this way (use \"uri\")";
        case config::PathStyle::relative_to_playlist:
            return "Navidrome and players that resolve entries against the playlist's folder";
        case config::PathStyle::relative_to_library: return "MPD, when the paths are relative to its music_directory";
        case config::PathStyle::uri: return "VLC and other desktop players; not MPD's stored playlists";
    }
    return "";
}

// "" when vibed can create files in `folder` (or create the folder), else why not.
std::string write_problem(const fs::path& folder) {
    fs::path existing = folder;
    std::error_code error;
    while (!fs::exists(existing, error) && existing.has_parent_path() && existing != existing.parent_path()) {
        existing = existing.parent_path();
    }
    if (!fs::is_directory(existing, error)) return existing.string() + " is not a folder";
    if (::access(existing.c_str(), W_OK | X_OK) != 0) return existing.string() + ": " + std::strerror(errno);
    return "";
}

// Entries in an M3U file: the lines that are not comments.
std::size_t entry_count(const std::string& text) {
    std::size_t entries = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (end > start && text[start] != '#') ++entries;
        start = end + 1;
    }
    return entries;
}

void print_mpd(const config::Config& config) {
    const config::MpdFinding& mpd = config.mpd;
    std::printf("\nMPD\n");
    if (mpd.config_file.empty()) {
        std::printf("  not found: %s\n", mpd.reason.c_str());
        return;
    }
    std::printf("  configuration:      %s\n", mpd.config_file.c_str());
    std::printf("  music_directory:    %s\n", mpd.music_directory.empty() ? "(not set)" : mpd.music_directory.c_str());
    std::printf("  playlist_directory: %s\n",
                mpd.playlist_directory.empty() ? "(not set)" : mpd.playlist_directory.c_str());
    std::printf("  %s: %s\n", mpd.target_added ? "playlists written there" : "no playlists written for MPD",
                mpd.reason.c_str());
}

// Prints one output target; returns false when its folder cannot be written.
bool print_output(const config::Config& config, std::size_t number, const config::OutputTarget& output) {
    std::string style(config::to_string(output.path_style));
    if (output.path_style == config::PathStyle::relative_to_library) {
        style += " to " + (output.relative_to.empty() ? std::string("the library folder holding each track")
                                                      : output.relative_to.string());
    }
    if (!output.prefix.empty()) style += ", prefix \"" + output.prefix + "\"";
    std::printf("\noutput %zu: %s\n  %s files, paths %s; from %s\n  read by: %.*s\n", number, output.folder.c_str(),
                output.extension.c_str(), style.c_str(), output.origin.c_str(),
                static_cast<int>(readers_of(output.path_style).size()), readers_of(output.path_style).data());
    const std::string problem = write_problem(output.folder);
    if (!problem.empty()) {
        std::printf("  PROBLEM: vibed cannot write there: %s\n", problem.c_str());
        return false;
    }
    for (const auto& definition : config.playlist_definitions) {
        std::string file_name;
        try {
            file_name = playlist::playlist_file_name(definition.name, output.extension);
        } catch (const std::exception& e) {
            std::printf("  %-28s %s\n", definition.name.c_str(), e.what());
            continue;
        }
        std::optional<std::string> text;
        try {
            text = playlist::read_file_if_exists(output.folder / file_name);
        } catch (const std::exception& e) {
            std::printf("  %-28s %s\n", file_name.c_str(), e.what());
            continue;
        }
        if (text) {
            std::printf("  %-28s %zu tracks\n", file_name.c_str(), entry_count(*text));
        } else {
            std::printf("  %-28s not written yet (vibed writes it once the library is analysed)\n", file_name.c_str());
        }
    }
    return true;
}

void run_doctor(CliContext& context) {
    const config::Config config = load_cli_config(context);
    std::printf("configuration: %s\n", config.source.empty() ? "built-in defaults" : config.source.c_str());
    for (const auto& root : config.library.paths) {
        std::error_code error;
        std::printf("library folder: %s%s\n", root.c_str(), fs::is_directory(root, error) ? "" : "  (MISSING)");
    }
    std::printf("playlists: %zu configured%s\n", config.playlist_definitions.size(),
                config.playlists.default_playlists ? "" : " (default playlists off)");
    print_mpd(config);
    bool healthy = true;
    for (std::size_t i = 0; i < config.outputs.size(); ++i) {
        healthy = print_output(config, i + 1, config.outputs[i]) && healthy;
    }
    if (config.outputs.empty()) std::printf("\nno [[output]]: no playlist files are written\n");
    if (!healthy) context.exit_code = 1;
}

}  // namespace

void add_doctor_command(CLI::App& app, CliContext& context) {
    auto* doctor = app.add_subcommand("doctor", "What each player will see: MPD found or not, output folders, files");
    doctor->callback([&context] { run_doctor(context); });
}

}  // namespace vibed::daemon
