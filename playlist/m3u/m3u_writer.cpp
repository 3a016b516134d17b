#include "playlist/m3u/m3u_writer.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>

#include "core/util/atomic_file.hpp"
#include "core/util/path_tree.hpp"
#include "playlist/query/text.hpp"

namespace fs = std::filesystem;

namespace vibed::playlist {
namespace {

// Well under NAME_MAX (255 bytes) with room for the extension and the
// temporary file's prefix and suffix (atomic_file.cpp).
constexpr std::size_t kMaxFileNameBytes = 200;

std::string display_name(const core::LibraryRow& track) {
    const std::string title = track.tags.title.empty() ? track.path.stem().string() : track.tags.title;
    return printable_text(track.tags.artist.empty() ? title : track.tags.artist + " - " + title);
}

// Players read a missing length as -1.
long extinf_seconds(const core::LibraryRow& track) {
    return track.tags.duration_seconds > 0 ? std::lround(track.tags.duration_seconds) : -1;
}

// MPD takes the #EXTINF text for the song's Name tag and shows it beside the
// file's own tags ("Nina - Song: Nina - Song" in mpc): MPD gets none, it reads
// the tags itself. The length stays, so MPD shows it before it scans the file.
std::string extinf_title(const OutputTarget& target, const core::LibraryRow& track) {
    return target.from_mpd ? std::string() : display_name(track);
}

// The folders relative-to-library entries are relative to, most specific
// first, so a track in a nested root gets the shortest path. Symbolic links
// are followed as for MPD's URIs (util::RelativeBase): a library reached
// through a link to MPD's music_directory maps in both.
std::vector<util::RelativeBase> relative_bases(const OutputTarget& target, const std::vector<fs::path>& library_roots) {
    std::vector<util::RelativeBase> bases;
    if (!target.relative_to.empty()) {
        bases.emplace_back(target.relative_to);
    } else {
        for (const auto& root : library_roots) bases.emplace_back(root);
    }
    std::sort(bases.begin(), bases.end(), [](const util::RelativeBase& a, const util::RelativeBase& b) {
        return a.folder().native().size() > b.folder().native().size();
    });
    return bases;
}

// Skipped tracks, one warning per reason: a playlist of 5,000 tracks
// outside MPD's music folder is one line in the log, not 5,000.
class SkippedTracks {
public:
    void add(const std::string& reason, const std::string& path) {
        auto& entry = by_reason_[reason];
        if (entry.count++ == 0) entry.first = printable_text(path);
        if (order_.empty() || std::find(order_.begin(), order_.end(), reason) == order_.end()) order_.push_back(reason);
    }

    void report(std::string_view playlist_name, std::vector<std::string>& warnings) const {
        for (const auto& reason : order_) {
            const auto& entry = by_reason_.at(reason);
            warnings.push_back("playlist '" + printable_text(playlist_name) + "': left out " +
                               std::to_string(entry.count) + (entry.count == 1 ? " track " : " tracks ") + reason +
                               " ('" + entry.first + "'" + (entry.count > 1 ? " and others)" : ")"));
        }
    }

private:
    struct Entry {
        std::size_t count = 0;
        std::string first;
    };
    std::map<std::string, Entry> by_reason_;
    std::vector<std::string> order_;
};

// The entry line for one track, or nullopt (noted in `skipped`) when the
// path cannot be written in this style.
std::optional<std::string> entry_path(const OutputTarget& target, const fs::path& playlist_folder,
                                      const std::vector<util::RelativeBase>& bases, const core::LibraryRow& track,
                                      SkippedTracks& skipped) {
    const std::string& raw_path = track.path.native();
    const auto skip = [&](const std::string& reason) -> std::optional<std::string> {
        skipped.add(reason, raw_path);
        return std::nullopt;
    };
    if (raw_path.find_first_of("\r\n") != std::string::npos) return skip("whose path contains a line break");
    if (first_invalid_utf8(raw_path) != std::string::npos) return skip("whose path is not valid UTF-8");
    const fs::path path = track.path.lexically_normal();
    if (!path.is_absolute()) return skip("whose path is not absolute");

    switch (target.path_style) {
        case PathStyle::absolute: return path.generic_string();
        case PathStyle::uri: return file_uri(path);
        case PathStyle::relative_to_playlist: {
            const std::string relative = path.lexically_relative(playlist_folder).generic_string();
            // A line starting with '#' would read as a comment.
            return relative.starts_with('#') ? "./" + relative : relative;
        }
        case PathStyle::relative_to_library: {
            for (const auto& base : bases) {
                const auto below = base.relative(path);
                if (!below) continue;
                const std::string relative = below->generic_string();
                // A line starting with '#' would read as a comment, and MPD
                // refuses "./" in a path; it takes the absolute path of a
                // file inside its music_directory instead.
                return relative.starts_with('#') ? path.generic_string() : relative;
            }
            return skip("outside " + (bases.size() == 1 ? "'" + bases.front().folder().string() + "'" : "every library folder"));
        }
    }
    return skip("in an unknown path style");
}

void check_extension(std::string_view extension) {
    if (extension != ".m3u" && extension != ".m3u8") {
        throw std::invalid_argument("playlist extension must be .m3u or .m3u8, got '" + std::string(extension) + "'");
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

// Its first line. File names may start with '#' ("#1 Hits.m3u"), so this is
// the only line that is not a name.
constexpr std::string_view kManifestHeader =
    "# Playlist files vibed wrote in this folder. vibed deletes only files listed here.";

std::set<std::string> read_manifest(const fs::path& folder) {
    std::set<std::string> names;
    const auto text = util::read_file_if_exists(folder / kManifestFileName);
    if (!text) return names;
    std::size_t start = 0;
    while (start < text->size()) {
        std::size_t end = text->find('\n', start);
        if (end == std::string::npos) end = text->size();
        const std::string line = text->substr(start, end - start);
        if (!line.empty() && line != kManifestHeader) names.insert(line);
        start = end + 1;
    }
    return names;
}

void write_manifest(const fs::path& folder, const std::set<std::string>& names) {
    std::string text = std::string(kManifestHeader) + "\n";
    for (const std::string& name : names) text += name + "\n";
    util::write_file_atomically(folder / kManifestFileName, text);
}

// A manifest line vibed could have written: a plain file name, nothing that
// points elsewhere (the manifest is a file anyone may edit).
bool is_plain_file_name(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
           name.find('\0') == std::string::npos && name != kManifestFileName;
}

}  // namespace

std::string playlist_file_name(std::string_view playlist_name, std::string_view extension) {
    check_extension(extension);
    std::string stem;
    for (std::size_t i = 0; i < playlist_name.size();) {
        const std::size_t length = utf8_sequence_length(playlist_name, i);
        const unsigned char c = static_cast<unsigned char>(playlist_name[i]);
        // Also what FAT/exFAT and SMB shares refuse in a name (a NAS, a phone's card).
        const bool unsafe = length == 0 || (length == 1 && (c < 0x20 || c == 0x7F || c == '/' || c == '\\' ||
                                                            std::string_view(":?*\"<>|").find(static_cast<char>(c)) !=
                                                                std::string_view::npos));
        const std::string_view piece = unsafe ? std::string_view("-") : playlist_name.substr(i, length);
        i += length == 0 ? 1 : length;
        if (stem.size() + piece.size() > kMaxFileNameBytes) break;
        stem += piece;
    }
    const std::size_t first = stem.find_first_not_of(". ");
    stem.erase(0, first == std::string::npos ? stem.size() : first);
    while (!stem.empty() && stem.back() == ' ') stem.pop_back();
    // As config/ asks of every name: a letter or digit (any non-ASCII counts).
    const bool named = std::any_of(stem.begin(), stem.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x80 || std::isalnum(static_cast<unsigned char>(c)) != 0;
    });
    if (!named) {
        throw std::invalid_argument("playlist name '" + printable_text(playlist_name) +
                                    "' has no letters or digits to name its file after");
    }
    return stem + std::string(extension);
}

std::string file_uri(const fs::path& path) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string uri = "file://";
    for (const char c : path.generic_string()) {
        const auto byte = static_cast<unsigned char>(c);
        const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                                (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
        if (unreserved) {
            uri += c;
        } else {
            uri += '%';
            uri += kHex[byte >> 4];
            uri += kHex[byte & 0x0F];
        }
    }
    return uri;
}

std::string render_m3u(const OutputTarget& target, const std::vector<fs::path>& library_roots,
                       std::string_view playlist_name, const std::vector<core::LibraryRow>& tracks,
                       std::vector<std::string>& warnings) {
    const fs::path playlist_folder = fs::weakly_canonical(target.folder);
    const std::vector<util::RelativeBase> bases = relative_bases(target, library_roots);
    SkippedTracks skipped;
    std::string text = "#EXTM3U\n#PLAYLIST:" + printable_text(playlist_name) + "\n";
    for (const core::LibraryRow& track : tracks) {
        const auto entry = entry_path(target, playlist_folder, bases, track, skipped);
        if (!entry) continue;
        text += "#EXTINF:" + std::to_string(extinf_seconds(track)) + "," + extinf_title(target, track) + "\n";
        text += target.prefix + *entry + "\n";
    }
    skipped.report(playlist_name, warnings);
    return text;
}

WriteResult write_playlist(const OutputTarget& target, const std::vector<fs::path>& library_roots,
                           std::string_view name, const std::vector<core::LibraryRow>& tracks) {
    const std::string file_name = playlist_file_name(name, target.extension);
    const fs::path folder = prepare_folder(target.folder);
    WriteResult result;
    result.path = inside_folder(folder, file_name);
    const std::string content = render_m3u(target, library_roots, name, tracks, result.warnings);

    std::set<std::string> written_by_vibed = read_manifest(folder);
    const std::optional<std::string> existing = util::read_file_if_exists(result.path);
    if (existing && !written_by_vibed.contains(file_name)) {
        throw std::runtime_error("'" + result.path.string() +
                                 "' exists and was not written by vibed; move it away or rename the playlist");
    }
    // Recorded before writing: a crash in between leaves a manifest entry for
    // a missing file (harmless), never a vibed file the manifest forgot.
    if (written_by_vibed.insert(file_name).second) write_manifest(folder, written_by_vibed);

    if (existing != content) {
        util::write_file_atomically(result.path, content);
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
    for (const std::string& name : live_names) live_files.insert(playlist_file_name(name, target.extension));

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
