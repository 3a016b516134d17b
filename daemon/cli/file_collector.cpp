#include "daemon/cli/file_collector.hpp"

#include <fnmatch.h>

#include <algorithm>

#include "core/audio/audio_decoder.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

// Inside folders only audio files count (cover art, cue sheets and notes are
// not worth an error line each); a --glob replaces that filter.
bool matches(const fs::path& file, const CollectOptions& options) {
    if (!options.glob) return core::has_audio_extension(file);
    return fnmatch(options.glob->c_str(), file.filename().c_str(), 0) == 0;
}

void collect_folder(const fs::path& folder, const CollectOptions& options, CollectedFiles& out) {
    std::error_code error;
    const auto visit = [&](const fs::directory_entry& entry) {
        std::error_code type_error;
        if (entry.is_regular_file(type_error) && matches(entry.path(), options)) out.files.push_back(entry.path());
    };
    // skip_permission_denied: an unreadable sub-folder is reported, not fatal.
    const auto flags = fs::directory_options::skip_permission_denied;
    if (options.recursive) {
        for (fs::recursive_directory_iterator it(folder, flags, error), end; !error && it != end; it.increment(error)) {
            visit(*it);
        }
    } else {
        bool has_subfolders = false;
        for (fs::directory_iterator it(folder, flags, error), end; !error && it != end; it.increment(error)) {
            std::error_code type_error;
            if (it->is_directory(type_error)) has_subfolders = true;
            visit(*it);
        }
        if (has_subfolders) out.skipped_subfolders.push_back(folder);
    }
    if (error) out.errors.push_back(folder.string() + ": " + error.message());
}

}  // namespace

CollectedFiles collect_files(const std::vector<std::string>& inputs, const CollectOptions& options) {
    CollectedFiles out;
    for (const auto& input : inputs) {
        const fs::path path(input);
        std::error_code error;
        const auto status = fs::status(path, error);
        if (fs::is_directory(status)) {
            collect_folder(path, options, out);
        } else if (fs::exists(status)) {
            // Named explicitly: analyse it even if it is not a regular file, so
            // the user gets the decoder's own reason for refusing it.
            out.files.push_back(path);
        } else {
            out.errors.push_back(input + ": no such file or folder");
        }
    }
    std::sort(out.files.begin(), out.files.end());
    out.files.erase(std::unique(out.files.begin(), out.files.end()), out.files.end());
    return out;
}

}  // namespace vibed::daemon
