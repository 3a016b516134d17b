// Where playlists are written: the [[output]] tables, and the output vibed
// adds on its own when MPD can play the library (add_player_outputs).
#include <algorithm>
#include <map>
#include <string>

#include "config/mpd_config.hpp"
#include "config/section_readers.hpp"
#include "config/table_reader.hpp"
#include "config/xdg.hpp"
#include "core/util/path_tree.hpp"

namespace vibed::config {
namespace fs = std::filesystem;

OutputTarget read_output(const toml::table& table) {
    static const auto kStyles = [] {
        std::map<std::string, PathStyle, std::less<>> styles;
        for (const auto style : util::kPathStyles) styles.emplace(util::to_string(style), style);
        return styles;
    }();
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

}  // namespace vibed::config
