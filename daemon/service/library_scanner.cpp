#include "daemon/service/library_scanner.hpp"

#include <fnmatch.h>
#include <limits.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "core/audio/audio_decoder.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

using FolderIdentity = std::pair<dev_t, ino_t>;

std::string kind_of(mode_t mode) {
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
    return "not a file";
}

// Why stat() of `path` failed with `error` (or, with 0, why what it found is
// not a regular file): one line for the log and `vibectl errors`.
std::string refusal_reason(const fs::path& path, int error, const struct stat& info) {
    if (error == 0) return "not a regular file (" + kind_of(info.st_mode) + ", never opened)";
    if (error == ELOOP) return "a symbolic link loop (" + std::string(std::strerror(ELOOP)) + ")";
    if (error == ENAMETOOLONG) {
        return "path too long (" + std::to_string(path.native().size()) + " bytes; the system allows " +
               std::to_string(PATH_MAX - 1) + ")";
    }
    if (error == ENOENT) return "a broken symbolic link (its target does not exist)";
    return std::strerror(error);
}

// The entry's own stamp (a link's or a FIFO's), so that a refusal is
// recorded once and again only when the entry changes.
util::FileStamp own_stamp(const fs::path& path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) return {};
    return {static_cast<std::int64_t>(info.st_size),
            static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

class FolderWalker {
public:
    FolderWalker(const ScanOptions& options, ScanResult& result) : options_(options), result_(result) {}

    // False when `root` itself cannot be listed.
    bool walk(const fs::path& root) {
        std::vector<fs::path> pending;
        if (!enter(root) || !list(root, pending)) return false;
        while (!pending.empty()) {
            const fs::path folder = std::move(pending.back());
            pending.pop_back();
            if (enter(folder)) list(folder, pending);
        }
        return true;
    }

private:
    // False for a folder already walked (a symlink loop or a second link to
    // it), or one that cannot even be looked at (a path too long).
    bool enter(const fs::path& folder) {
        struct stat info {};
        if (::stat(folder.c_str(), &info) != 0) {
            const int error = errno;
            if (error == ENAMETOOLONG || error == ELOOP) refuse(folder, error, info);
            return false;
        }
        if (!visited_.emplace(info.st_dev, info.st_ino).second) {
            spdlog::info("{}: already scanned through another path (symlink loop?); skipped", folder.string());
            return false;
        }
        return true;
    }

    // Not skip_permission_denied: that would skip an unreadable folder silently.
    bool list(const fs::path& folder, std::vector<fs::path>& pending) {
        std::error_code error;
        fs::directory_iterator it(folder, error), end;
        for (; !error && it != end; it.increment(error)) visit(*it, pending);
        if (error) {
            spdlog::warn("{}: cannot list folder: {}; skipped", folder.string(), error.message());
            result_.unreadable.push_back(folder);
        }
        return !error;
    }

    void visit(const fs::directory_entry& entry, std::vector<fs::path>& pending) {
        if (is_excluded(entry.path(), options_.exclude)) return;
        std::error_code error;
        if (entry.is_symlink(error) && !options_.follow_symlinks) return;
        if (entry.is_directory(error)) {
            pending.push_back(entry.path());
            return;
        }
        const fs::path& path = entry.path();
        const bool audio_name = core::has_audio_extension(path);
        if (audio_name) {
            if (const auto stamp = util::stamp_of(path)) return result_.files.push_back({path, *stamp});
        } else if (!entry.is_symlink(error) && path.native().size() < PATH_MAX) {
            // Only a link can loop and only a long path be too long: other
            // names (cover art, playlists) cost no stat().
            return spdlog::debug("{}: not an audio file; skipped", path.string());
        }
        struct stat info {};
        const int stat_error = ::stat(path.c_str(), &info) == 0 ? 0 : errno;
        // A loop or an over-long path hides what the entry is: a folder or
        // a track may be lost, whatever its name.
        if (stat_error == ELOOP || stat_error == ENAMETOOLONG) return refuse(path, stat_error, info);
        if (!audio_name) return spdlog::debug("{}: not an audio file; skipped", path.string());
        if (stat_error == 0 && S_ISREG(info.st_mode)) return;  // became a file just now: the watcher has it
        struct stat own {};
        const bool gone = stat_error == ENOENT && ::lstat(path.c_str(), &own) != 0;
        if (!gone) refuse(path, stat_error, info);
    }

    void refuse(const fs::path& path, int error, const struct stat& info) {
        const std::string reason = path.string() + ": " + refusal_reason(path, error, info);
        spdlog::info("{}; skipped", reason);
        result_.refused.push_back({path, own_stamp(path), reason});
    }

    const ScanOptions& options_;
    ScanResult& result_;
    std::set<FolderIdentity> visited_;
};

}  // namespace

bool is_excluded(const fs::path& path, const std::vector<std::string>& exclude) {
    const std::string name = path.filename().string();
    return std::any_of(exclude.begin(), exclude.end(),
                       [&](const std::string& glob) { return fnmatch(glob.c_str(), name.c_str(), 0) == 0; });
}

ScanResult scan_folder(const fs::path& folder, const ScanOptions& options) {
    ScanResult result;
    std::error_code error;
    if (!fs::is_directory(folder, error)) {
        result.folder_missing = true;
        return result;
    }
    // An unreadable library folder is as good as gone: listing it as empty
    // would tell the caller that every track in it was deleted.
    result.folder_missing = !FolderWalker(options, result).walk(folder);
    std::sort(result.files.begin(), result.files.end(),
              [](const ScannedFile& a, const ScannedFile& b) { return a.path < b.path; });
    std::sort(result.refused.begin(), result.refused.end(),
              [](const RefusedEntry& a, const RefusedEntry& b) { return a.path < b.path; });
    return result;
}

}  // namespace vibed::daemon
