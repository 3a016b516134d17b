#include "playlist/m3u/m3u_writer.hpp"

#include <cmath>
#include <optional>
#include <stdexcept>

#include "playlist/m3u/atomic_file.hpp"
#include "playlist/query/text.hpp"

namespace fs = std::filesystem;

namespace vibed::playlist {
namespace {

constexpr std::size_t kMaxStemBytes = 100;

// Text for an #EXTINF or #PLAYLIST line: control characters (a newline
// would end the line) become spaces, invalid UTF-8 bytes become '?'.
std::string single_line_text(std::string_view text) {
    std::string clean;
    clean.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8_sequence_length(text, i);
        if (length == 0) {
            clean += '?';
            ++i;
        } else if (length == 1 && (static_cast<unsigned char>(text[i]) < 0x20 || text[i] == 0x7F)) {
            clean += ' ';
            ++i;
        } else {
            clean.append(text.substr(i, length));
            i += length;
        }
    }
    return clean;
}

std::string display_name(const db::LibraryRow& track) {
    const std::string title = track.tags.title.empty() ? track.path.stem().string() : track.tags.title;
    return single_line_text(track.tags.artist.empty() ? title : track.tags.artist + " - " + title);
}

// Players read a missing length as -1.
long extinf_seconds(const db::LibraryRow& track) {
    return track.tags.duration_seconds > 0 ? std::lround(track.tags.duration_seconds) : -1;
}

// The entry line for one track, or nullopt (with a warning) when the path
// cannot be written in this style.
std::optional<std::string> entry_path(const OutputTarget& target, const fs::path& playlist_folder,
                                      const db::LibraryRow& track, std::vector<std::string>& warnings) {
    const std::string& raw_path = track.path.native();
    const auto skip = [&](const std::string& reason) -> std::optional<std::string> {
        warnings.push_back("skipping track '" + single_line_text(raw_path) + "': " + reason);
        return std::nullopt;
    };
    if (raw_path.find_first_of("\r\n") != std::string::npos) return skip("its path contains a line break");
    if (first_invalid_utf8(raw_path) != std::string::npos) return skip("its path is not valid UTF-8");
    const fs::path path = track.path.lexically_normal();
    if (!path.is_absolute()) return skip("its path is not absolute");

    switch (target.style) {
        case PathStyle::Absolute: return path.generic_string();
        case PathStyle::RelativeToPlaylist: {
            const std::string relative = path.lexically_relative(playlist_folder).generic_string();
            // A line starting with '#' would read as a comment.
            return relative.starts_with('#') ? "./" + relative : relative;
        }
        case PathStyle::RelativeToLibraryRoot: {
            const std::string relative =
                path.lexically_relative(target.library_root.lexically_normal()).generic_string();
            if (relative.empty() || relative == "." || relative.starts_with("../") || relative == "..") {
                return skip("it is outside the library root '" + target.library_root.string() + "'");
            }
            if (relative.starts_with('#')) return skip("a relative path starting with '#' reads as a comment");
            return relative;
        }
    }
    return skip("unknown path style");
}

void check_extension(const std::string& extension) {
    if (extension != ".m3u" && extension != ".m3u8") {
        throw std::invalid_argument("playlist extension must be .m3u or .m3u8, got '" + extension + "'");
    }
}

// Creates the folder if needed and returns its canonical form.
fs::path prepare_folder(const fs::path& folder) {
    std::error_code error;
    fs::create_directories(folder, error);
    if (!error) {
        fs::path canonical = fs::canonical(folder, error);
        if (!error) return canonical;
    }
    throw std::runtime_error("cannot use playlist folder '" + folder.string() + "': " + error.message());
}

// Joins a file name to the folder and proves the result is directly inside it.
fs::path inside_folder(const fs::path& canonical_folder, const std::string& file_name) {
    const fs::path path = (canonical_folder / file_name).lexically_normal();
    if (path.parent_path() != canonical_folder || path.filename() != file_name) {
        throw std::invalid_argument("file name '" + file_name + "' would leave the playlist folder");
    }
    return path;
}

// ---- manifest: the files vibed wrote, one name per line --------------------

std::set<std::string> read_manifest(const fs::path& folder) {
    std::set<std::string> names;
    const auto text = read_file_if_exists(folder / kManifestFileName);
    if (!text) return names;
    std::size_t start = 0;
    while (start < text->size()) {
        std::size_t end = text->find('\n', start);
        if (end == std::string::npos) end = text->size();
        const std::string line = text->substr(start, end - start);
        if (!line.empty() && !line.starts_with('#')) names.insert(line);
        start = end + 1;
    }
    return names;
}

void write_manifest(const fs::path& folder, const std::set<std::string>& names) {
    std::string text = "# Playlist files vibed wrote in this folder. vibed deletes only files listed here.\n";
    for (const std::string& name : names) text += name + "\n";
    write_file_atomically(folder / kManifestFileName, text);
}

// A manifest line vibed could have written: a plain file name, nothing that
// points elsewhere (the manifest is a file anyone may edit).
bool is_plain_file_name(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
           name.find('\0') == std::string::npos && name != kManifestFileName;
}

}  // namespace

std::string playlist_file_stem(std::string_view playlist_name) {
    std::string stem;
    bool separator_pending = false;
    for (std::size_t i = 0; i < playlist_name.size();) {
        const std::size_t length = utf8_sequence_length(playlist_name, i);
        const char c = playlist_name[i];
        const bool ascii_alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (length <= 1 && !ascii_alnum) {
            separator_pending = true;
            ++i;
            continue;
        }
        std::string piece = ascii_lowercase(playlist_name.substr(i, length));
        if (separator_pending && !stem.empty()) piece.insert(0, 1, '-');
        if (stem.size() + piece.size() > kMaxStemBytes) break;
        stem += piece;
        separator_pending = false;
        i += length;
    }
    if (stem.empty()) {
        throw std::invalid_argument("playlist name '" + single_line_text(playlist_name) +
                                    "' has no letters or digits to name its file after");
    }
    return stem;
}

std::string render_m3u(const OutputTarget& target, std::string_view playlist_name,
                       const std::vector<db::LibraryRow>& tracks, std::vector<std::string>& warnings) {
    const fs::path playlist_folder = fs::weakly_canonical(target.folder);
    std::string text = "#EXTM3U\n#PLAYLIST:" + single_line_text(playlist_name) + "\n";
    for (const db::LibraryRow& track : tracks) {
        const auto entry = entry_path(target, playlist_folder, track, warnings);
        if (!entry) continue;
        text += "#EXTINF:" + std::to_string(extinf_seconds(track)) + "," + display_name(track) + "\n";
        text += *entry + "\n";
    }
    return text;
}

WriteResult write_playlist(const OutputTarget& target, std::string_view name, const std::vector<db::LibraryRow>& tracks) {
    check_extension(target.extension);
    const fs::path folder = prepare_folder(target.folder);
    const std::string file_name = playlist_file_stem(name) + target.extension;
    WriteResult result;
    result.path = inside_folder(folder, file_name);
    const std::string content = render_m3u(target, name, tracks, result.warnings);

    std::set<std::string> written_by_vibed = read_manifest(folder);
    const std::optional<std::string> existing = read_file_if_exists(result.path);
    if (existing && !written_by_vibed.contains(file_name)) {
        throw std::runtime_error("'" + result.path.string() +
                                 "' exists and was not written by vibed; move it away or rename the playlist");
    }
    // Recorded before writing: a crash in between leaves a manifest entry for
    // a missing file (harmless), never a vibed file the manifest forgot.
    if (written_by_vibed.insert(file_name).second) write_manifest(folder, written_by_vibed);

    if (existing != content) {
        write_file_atomically(result.path, content);
        result.changed = true;
    }
    return result;
}

std::vector<fs::path> remove_stale_playlists(const OutputTarget& target, const std::set<std::string>& live_names) {
    check_extension(target.extension);
    std::error_code error;
    if (!fs::is_directory(target.folder, error)) return {};
    const fs::path folder = prepare_folder(target.folder);

    std::set<std::string> live_files;
    for (const std::string& name : live_names) live_files.insert(playlist_file_stem(name) + target.extension);

    std::set<std::string> manifest = read_manifest(folder);
    const std::size_t manifest_entries = manifest.size();
    std::vector<fs::path> removed;
    for (auto it = manifest.begin(); it != manifest.end();) {
        const std::string& file_name = *it;
        // Other targets may share this folder with another extension; their
        // files are theirs to clean up.
        const bool ours = fs::path(file_name).extension() == target.extension;
        if (!ours || live_files.contains(file_name)) {
            ++it;
            continue;
        }
        if (is_plain_file_name(file_name)) {
            const fs::path path = folder / file_name;
            // A symlink or folder under that name is not what vibed wrote.
            if (fs::is_regular_file(fs::symlink_status(path, error))) {
                if (!fs::remove(path, error) && error) {
                    throw std::runtime_error("cannot remove stale playlist '" + path.string() + "': " + error.message());
                }
                removed.push_back(path);
            }
        }
        it = manifest.erase(it);
    }
    if (manifest.size() != manifest_entries) write_manifest(folder, manifest);
    return removed;
}

}  // namespace vibed::playlist
