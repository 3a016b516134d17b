#pragma once
// Finds model files from the names users write in the config, and the module
// that runs them.

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace vibed::core {

// The bundled student, used when nothing else is configured.
inline constexpr std::string_view kDefaultModelName = "student";
// VibeNet's own network, imported by model/import_vibenet.py.
inline constexpr std::string_view kTeacherModelName = "vibenet";

// The bundled mood model (model/moods.json), and the setting that turns moods off.
inline constexpr std::string_view kDefaultMoodModelName = "moods";
inline constexpr std::string_view kNoMoodModel = "none";
// The bundled similarity model (model/similarity.json); "none" turns vectors off too.
inline constexpr std::string_view kDefaultSimilarityModelName = "similarity";
inline constexpr std::string_view kNoSimilarityModel = "none";

// Folders searched for named models, in order: $VIBED_MODEL_DIR, then the
// installed share/vibed/models next to the executable when there is one (an
// installed vibed stops there: it does not depend on the checkout), else the
// source tree's model/ and model/generated/ (running from a build directory).
std::vector<std::filesystem::path> model_search_dirs();

// Turns a setting into a model file: a name ("student", "vibenet") is looked
// up as NAME.pt in model_search_dirs(); anything with a '/' or ending in .pt
// is a path. Throws ModelError listing where it looked.
std::filesystem::path resolve_model(std::string_view setting);

// The mood model file for a setting: a name is looked up as NAME.json like
// resolve_model() does, a path is taken as it is; nullopt for "none". Throws
// MoodModelError listing where it looked.
std::optional<std::filesystem::path> resolve_mood_model(std::string_view setting);

// The same for the similarity model. Throws SimilarityModelError.
std::optional<std::filesystem::path> resolve_similarity_model(std::string_view setting);

// The shared module that runs models with LibTorch (see attribute_model.cpp):
// $VIBED_TORCH_MODEL_MODULE as given when set; else the build tree's copy; else
// the one next to the executable (a relocated install). Throws ModelError
// naming both places when neither holds it.
std::filesystem::path torch_module_file();

}  // namespace vibed::core
