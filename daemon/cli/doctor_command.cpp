#include "daemon/cli/doctor_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "config/mpd_config.hpp"
#include "config/xdg.hpp"
#include "daemon/cli/library_access.hpp"
#include "core/util/atomic_file.hpp"
#include "core/util/path_tree.hpp"
#include "daemon/control/control_client.hpp"
#include "daemon/mpd/mpd_endpoint.hpp"
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
            text = util::read_file_if_exists(output.folder / file_name);
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

// ---- the systemd unit's sandbox --------------------------------------------

// What the shipped unit lets vibed write (systemd/vibed.service:
// ReadWritePaths=%h/.local/share/vibed %t, with ProtectHome=read-only).
std::vector<fs::path> unit_write_paths() {
    std::vector<fs::path> paths;
    if (const auto home = config::xdg_directory("HOME")) paths.push_back(*home / ".local/share/vibed");
    if (const auto runtime = config::xdg_directory("XDG_RUNTIME_DIR")) paths.push_back(*runtime);
    return paths;
}

bool is_within(const fs::path& path, const fs::path& folder) {
    return util::is_at_or_under(path.lexically_normal(), folder.lexically_normal());
}

// The folders vibed writes that the unit does not already allow: the
// database's, the socket's and every output's.
std::vector<fs::path> extra_write_paths(const config::Config& config) {
    std::vector<fs::path> wanted{config.database.path.parent_path(), config.daemon.socket.parent_path()};
    for (const auto& output : config.outputs) wanted.push_back(output.folder);
    for (auto& path : wanted) path = path.lexically_normal();
    std::sort(wanted.begin(), wanted.end());  // a folder before those inside it
    const auto allowed = unit_write_paths();
    std::vector<fs::path> extra;
    for (const auto& path : wanted) {
        const auto inside = [&](const fs::path& folder) { return is_within(path, folder); };
        if (std::any_of(allowed.begin(), allowed.end(), inside) || std::any_of(extra.begin(), extra.end(), inside)) {
            continue;
        }
        extra.push_back(path);
    }
    return extra;
}

// A drop-in adding them. '-': a folder missing at start does not stop the
// unit (vibed then reports that it cannot write there). Quoted: names may
// hold spaces.
std::string drop_in_text(const std::vector<fs::path>& paths) {
    std::string text = "# Written by `vibectl doctor --write-drop-in` for the folders in vibed's configuration.\n"
                       "[Service]\nReadWritePaths=";
    for (std::size_t i = 0; i < paths.size(); ++i) text += (i ? " " : "") + std::string("\"-") + paths[i].string() + "\"";
    return text + "\n";
}

fs::path drop_in_file() {
    return config::xdg_directory("XDG_CONFIG_HOME").value() / "systemd/user/vibed.service.d/vibed-paths.conf";
}

// The unit file systemd --user would load for vibed (the first of its user
// unit folders that has one), or empty.
fs::path installed_unit() {
    std::vector<fs::path> folders;
    if (const auto config_home = config::xdg_directory("XDG_CONFIG_HOME")) folders.push_back(*config_home / "systemd/user");
    folders.emplace_back("/etc/systemd/user");
    if (const auto data_home = config::xdg_directory("XDG_DATA_HOME")) folders.push_back(*data_home / "systemd/user");
    for (const char* folder : {"/usr/local/share/systemd/user", "/usr/share/systemd/user", "/usr/local/lib/systemd/user",
                               "/usr/lib/systemd/user"}) {
        folders.emplace_back(folder);
    }
    for (const auto& folder : folders) {
        std::error_code error;
        if (fs::is_regular_file(folder / "vibed.service", error)) return folder / "vibed.service";
    }
    return {};
}

// The address families the unit and its drop-ins allow: the last
// RestrictAddressFamilies= wins (as systemd reads a plain allow-list).
std::string allowed_families(const fs::path& unit) {
    std::vector<fs::path> files{unit};
    std::error_code error;
    std::vector<fs::path> drop_ins;
    for (const auto& entry : fs::directory_iterator(drop_in_file().parent_path(), error)) {
        if (entry.path().extension() == ".conf") drop_ins.push_back(entry.path());
    }
    std::sort(drop_ins.begin(), drop_ins.end());
    files.insert(files.end(), drop_ins.begin(), drop_ins.end());
    std::string families = "(any)";
    for (const auto& file : files) {
        std::istringstream text(util::read_file_if_exists(file).value_or(""));
        for (std::string line; std::getline(text, line);) {
            if (line.rfind("RestrictAddressFamilies=", 0) == 0) families = line.substr(line.find('=') + 1);
        }
    }
    return families;
}

// keep_playing with MPD over TCP under a unit that allows only AF_UNIX (as
// units installed before issue 18 did): vibed could never connect. Returns
// false after printing the drop-in that allows it (written with `write`).
bool check_unit_network(const config::Config& config, bool write) {
    if (!config.mpd_client.keep_playing) return true;
    const auto endpoints = mpd::resolve_endpoints(config.mpd_client, mpd::process_environment(), mpd::socket_file_exists);
    if (endpoints.empty() || endpoints.front().is_socket()) return true;
    const fs::path unit = installed_unit();
    if (unit.empty()) return true;
    const std::string families = allowed_families(unit);
    if (families == "(any)" || families.find("AF_INET") != std::string::npos) return true;
    const fs::path file = drop_in_file().parent_path() / "vibed-network.conf";
    const std::string text = "# Written by `vibectl doctor --write-drop-in`: keep_playing reaches MPD over TCP.\n"
                             "[Service]\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n";
    std::printf("  PROBLEM: %s allows only %s, so keep_playing cannot reach MPD at %s; this drop-in allows TCP:\n\n%s\n",
                unit.c_str(), families.c_str(), endpoints.front().describe().c_str(), text.c_str());
    if (!write) {
        std::printf("  `vibectl doctor --write-drop-in` writes it to %s\n", file.c_str());
        return false;
    }
    std::error_code ignored;
    fs::create_directories(file.parent_path(), ignored);
    util::write_file_atomically(file, text);
    std::printf("  wrote %s; now: systemctl --user daemon-reload && systemctl --user restart vibed\n", file.c_str());
    return true;
}

void print_sandbox(const config::Config& config, bool write) {
    const auto extra = extra_write_paths(config);
    std::printf("\nsystemd unit (sandbox)\n");
    if (extra.empty()) {
        std::printf("  the unit lets vibed write every folder it uses (ReadWritePaths=%%h/.local/share/vibed %%t)\n");
        return;
    }
    const std::string text = drop_in_text(extra);
    std::printf("  the unit's ReadWritePaths misses folders vibed writes; this drop-in adds them:\n\n%s\n", text.c_str());
    if (!write) {
        std::printf("  `vibectl doctor --write-drop-in` writes it to %s\n", drop_in_file().c_str());
        return;
    }
    std::error_code ignored;
    fs::create_directories(drop_in_file().parent_path(), ignored);
    util::write_file_atomically(drop_in_file(), text);
    std::printf("  wrote %s; now: systemctl --user daemon-reload && systemctl --user restart vibed\n",
                drop_in_file().c_str());
}

// The running vibed and what is wrong with it now (a refused reload, a
// database it cannot write...): returns false when it lists a problem.
bool print_daemon(const config::Config& config) {
    std::optional<Reply> reply;
    try {
        reply = call_daemon(config.daemon.socket, Request{"status", {}});
    } catch (const std::exception& e) {
        std::printf("vibed: does not answer at %s: %s\n", config.daemon.socket.c_str(), e.what());
        return false;
    }
    if (!reply || !reply->ok) {
        std::printf("vibed: not running (no socket at %s)\n", config.daemon.socket.c_str());
        return true;
    }
    const auto daemon = reply->result.value("daemon", nlohmann::json::object());
    std::printf("vibed: running (pid %lld) with %s\n", daemon.value("pid", 0LL),
                reply->result.value("config", std::string("?")).c_str());
    const auto problems = daemon.value("problems", nlohmann::json::array());
    for (const auto& problem : problems) {
        std::printf("  PROBLEM: %s: %s\n", problem.value("area", std::string()).c_str(),
                    problem.value("message", std::string()).c_str());
    }
    return problems.empty();
}

void run_doctor(CliContext& context, bool write_drop_in) {
    const config::Config config = load_cli_config(context, write_drop_in ? ConfigUse::acting : ConfigUse::read_only);
    std::printf("configuration: %s\n", config.source.empty() ? "built-in defaults" : config.source.c_str());
    for (const auto& root : config.library.paths) {
        std::error_code error;
        std::printf("library folder: %s%s\n", root.c_str(), fs::is_directory(root, error) ? "" : "  (MISSING)");
    }
    std::printf("playlists: %zu configured%s\n", config.playlist_definitions.size(),
                config.playlists.default_playlists ? "" : " (default playlists off)");
    bool healthy = print_daemon(config);
    print_mpd(config);
    for (std::size_t i = 0; i < config.outputs.size(); ++i) {
        healthy = print_output(config, i + 1, config.outputs[i]) && healthy;
    }
    if (config.outputs.empty()) std::printf("\nno [[output]]: no playlist files are written\n");
    print_sandbox(config, write_drop_in);
    healthy = check_unit_network(config, write_drop_in) && healthy;
    if (!healthy) context.exit_code = 1;
}

}  // namespace

void add_doctor_command(CLI::App& app, CliContext& context) {
    auto* doctor = app.add_subcommand("doctor", "What each player will see: MPD found or not, output folders, files");
    auto write_drop_in = std::make_shared<bool>(false);
    doctor->add_flag("--write-drop-in", *write_drop_in,
                     "Write the systemd drop-in that lets the unit write the configured folders");
    doctor->callback([&context, write_drop_in] { run_doctor(context, *write_drop_in); });
}

}  // namespace vibed::daemon
