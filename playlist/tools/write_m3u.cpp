// vibed_write_m3u: writes one playlist with the real M3U writer, so the MPD
// compatibility test (tests/scripts/mpd_compat_test.sh) can check what
// players make of vibed's files without running the daemon.
//
//   vibed_write_m3u FOLDER STYLE LIBRARY_ROOT EXTENSION NAME < track-paths
//
// STYLE is absolute, relative-to-playlist, relative-to-library or uri; stdin
// holds one absolute track path per line, in playlist order.

#include <exception>
#include <iostream>
#include <map>
#include <string>

#include "playlist/m3u/m3u_writer.hpp"

int main(int argc, char** argv) {
    using vibed::util::PathStyle;
    if (argc != 6) {
        std::cerr << "usage: vibed_write_m3u FOLDER STYLE LIBRARY_ROOT EXTENSION NAME < track-paths\n";
        return 2;
    }
    const std::map<std::string, PathStyle> styles = {
        {"absolute", PathStyle::absolute},
        {"relative-to-playlist", PathStyle::relative_to_playlist},
        {"relative-to-library", PathStyle::relative_to_library},
        {"uri", PathStyle::uri},
    };
    const auto style = styles.find(argv[2]);
    if (style == styles.end()) {
        std::cerr << "vibed_write_m3u: unknown path style '" << argv[2] << "'\n";
        return 2;
    }
    std::vector<vibed::core::LibraryRow> tracks;
    for (std::string line; std::getline(std::cin, line);) {
        vibed::core::LibraryRow row;
        row.path = line;
        tracks.push_back(std::move(row));
    }
    try {
        vibed::util::OutputTarget target;
        target.folder = argv[1];
        target.extension = argv[4];
        target.path_style = style->second;
        const auto result = vibed::playlist::write_playlist(target, {argv[3]}, argv[5], tracks);
        for (const std::string& warning : result.warnings) std::cerr << "warning: " << warning << "\n";
        std::cout << result.path.string() << "\n";
    } catch (const std::exception& error) {
        std::cerr << "vibed_write_m3u: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
