#include "core/model/model_locator.hpp"

#include <cstdlib>
#include <optional>
#include <string>

#include "core/model/attribute_model.hpp"
#include "core/model/mood_model.hpp"
#include "core/model/similarity_model.hpp"

namespace vibed::core {
namespace {

std::filesystem::path executable_dir() {
    std::error_code error;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    return error ? std::filesystem::path{} : self.parent_path();
}

// PREFIX/share/vibed/models for a binary in PREFIX/bin, when it exists.
std::optional<std::filesystem::path> installed_model_dir() {
    const auto exe = executable_dir();
    if (exe.empty()) return std::nullopt;
    auto dir = exe.parent_path() / "share/vibed/models";
    std::error_code error;
    if (!std::filesystem::is_directory(dir, error)) return std::nullopt;
    return dir;
}

bool looks_like_path(std::string_view setting, std::string_view extension) {
    return setting.find('/') != std::string_view::npos || setting.ends_with(extension);
}

std::string how_to_get(std::string_view name) {
    if (name == kTeacherModelName) return " (generate it with model/import_vibenet.py)";
    if (name == kDefaultModelName) return " (it ships in the repository's model/ folder)";
    return "";
}

}  // namespace

std::vector<std::filesystem::path> model_search_dirs() {
    std::vector<std::filesystem::path> dirs;
    if (const char* env = std::getenv("VIBED_MODEL_DIR"); env != nullptr && *env != '\0') dirs.emplace_back(env);
    // Installed (`cmake --install`): its own models only, so it works with
    // the checkout moved or gone and never picks up one being trained there.
    if (const auto installed = installed_model_dir()) {
        dirs.push_back(*installed);
        return dirs;
    }
    dirs.emplace_back(VIBED_SOURCE_MODEL_DIR);
    dirs.emplace_back(std::filesystem::path(VIBED_SOURCE_MODEL_DIR) / "generated");
    return dirs;
}

namespace {

// NAME + extension in model_search_dirs(), or the setting itself when it is a path.
std::optional<std::filesystem::path> find_model_file(std::string_view setting, std::string_view extension,
                                                     std::string& searched) {
    if (looks_like_path(setting, extension)) return std::filesystem::path(setting);
    const std::string file_name = std::string(setting) + std::string(extension);
    for (const auto& dir : model_search_dirs()) {
        std::error_code error;
        if (std::filesystem::is_regular_file(dir / file_name, error)) return dir / file_name;
        searched += (searched.empty() ? "" : ", ") + dir.string();
    }
    return std::nullopt;
}

}  // namespace

std::filesystem::path resolve_model(std::string_view setting) {
    if (setting.empty()) setting = kDefaultModelName;
    std::string searched;
    if (auto file = find_model_file(setting, ".pt", searched)) return *file;
    throw ModelError("model '" + std::string(setting) + "' not found" + how_to_get(setting) +
                     "; looked for " + std::string(setting) + ".pt in " + searched);
}

std::optional<std::filesystem::path> resolve_mood_model(std::string_view setting) {
    if (setting == kNoMoodModel) return std::nullopt;
    if (setting.empty()) setting = kDefaultMoodModelName;
    std::string searched;
    if (auto file = find_model_file(setting, ".json", searched)) return *file;
    throw MoodModelError("mood model '" + std::string(setting) + "' not found; looked for " + std::string(setting) +
                         ".json in " + searched);
}

std::optional<std::filesystem::path> resolve_similarity_model(std::string_view setting) {
    if (setting == kNoSimilarityModel) return std::nullopt;
    if (setting.empty()) setting = kDefaultSimilarityModelName;
    std::string searched;
    if (auto file = find_model_file(setting, ".json", searched)) return *file;
    throw SimilarityModelError("similarity model '" + std::string(setting) + "' not found; looked for " +
                               std::string(setting) + ".json in " + searched);
}

std::filesystem::path torch_module_file() {
    if (const char* env = std::getenv("VIBED_TORCH_MODEL_MODULE"); env != nullptr && *env != '\0') return env;
    const std::filesystem::path built(VIBED_TORCH_MODEL_MODULE_FILE);
    std::vector<std::filesystem::path> candidates;
    if (const auto exe = executable_dir(); !exe.empty()) {
        // Installed (`cmake --install`): next to the executable, or in
        // PREFIX/lib/vibed for binaries in PREFIX/bin; an installed vibed
        // never falls back to the build tree's.
        candidates.push_back(exe / built.filename());
        candidates.push_back(exe.parent_path() / "lib" / "vibed" / built.filename());
    }
    if (!installed_model_dir()) candidates.push_back(built);
    std::string searched;
    for (const auto& candidate : candidates) {
        std::error_code error;
        if (std::filesystem::is_regular_file(candidate, error)) return candidate;
        searched += (searched.empty() ? "" : ", ") + candidate.string();
    }
    throw ModelError("the model module " + built.filename().string() + " is missing: looked for " + searched +
                     " (set VIBED_TORCH_MODEL_MODULE to where it is)");
}

}  // namespace vibed::core
