#include "daemon/cli/map_command.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>

#include "daemon/cli/library_access.hpp"
#include "daemon/map/map_page.hpp"
#include "daemon/app/playlist_builder.hpp"
#include "playlist/m3u/m3u_writer.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

// Without -o: the file the daemon keeps up to date ([playlists] map_file), else
// vibed-map.html here.
fs::path default_map_file(const config::Config& config) {
    return config.playlists.map_file.empty() ? fs::path("vibed-map.html") : config.playlists.map_file;
}

void run_map(const CliContext& context, const std::string& output) {
    LibraryAccess library = open_library(context);
    const fs::path file = fs::absolute(output.empty() ? default_map_file(library.config) : fs::path(output));
    const auto report = write_map_file(library.index, require_model(library), library.config,
                                       draws_file_for(library.config.database.path), file);
    for (const auto& problem : report.problems) std::fprintf(stderr, "vibectl: %s\n", problem.c_str());
    std::fprintf(stderr, "%s %s: %zu tracks on the mood plane", report.changed ? "wrote" : "unchanged:", file.c_str(),
                 report.tracks);
    if (report.without_moods > 0) std::fprintf(stderr, " (%zu more still without moods)", report.without_moods);
    std::fprintf(stderr, "\n");
    std::printf("%s\n", playlist::file_uri(file).c_str());  // to paste into a browser
}

}  // namespace

void add_map_command(CLI::App& app, CliContext& context) {
    auto* map = app.add_subcommand("map", "The library on the mood plane: one HTML page to open in a browser");
    auto output = std::make_shared<std::string>();
    map->add_option("-o,--output", *output, "The HTML file to write (default: [playlists] map_file, else ./vibed-map.html)");
    map->callback([&context, output] { run_map(context, *output); });
}

}  // namespace vibed::daemon
