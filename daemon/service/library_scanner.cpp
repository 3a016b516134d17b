#include "daemon/service/library_scanner.hpp"

#include <fnmatch.h>
#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <utility>

#include "core/audio/audio_decoder.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

using FolderIdentity = std::pair<dev_t, ino_t>;

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
    // False for a folder already walked (a symlink loop or a second link to it).
    bool enter(const fs::path& folder) {
        struct stat info {};
        if (::stat(folder.c_str(), &info) != 0) return false;
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
        } else if (!core::has_audio_extension(entry.path())) {
            spdlog::debug("{}: not an audio file; skipped", entry.path().string());
        } else if (const auto stamp = util::stamp_of(entry.path())) {
            result_.files.push_back({entry.path(), *stamp});
        } else {
            spdlog::info("{}: not a regular file (a FIFO, a device, a broken link?) or gone; skipped",
                         entry.path().string());
        }
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
    return result;
}

}  // namespace vibed::daemon
