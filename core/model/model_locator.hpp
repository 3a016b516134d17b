#pragma once
// Finds model files from the names users write in the config, and the module
// that runs them.

#include <filesystem>
#include <string_view>
#include <vector>

namespace vibed::core {

// The bundled student, used when nothing else is configured.
inline constexpr std::string_view kDefaultModelName = "student";
// VibeNet's own network, imported by model/import_vibenet.py.
inline constexpr std::string_view kTeacherModelName = "vibenet";

// Folders searched for named models, in order: $VIBED_MODEL_DIR, the
// installed share/vibed/models next to the executable, then the source tree's
// model/ and model/generated/ (for running from a build directory).
std::vector<std::filesystem::path> model_search_dirs();

// Turns a setting into a model file: a name ("student", "vibenet") is looked
// up as NAME.pt in model_search_dirs(); anything with a '/' or ending in .pt
// is a path. Throws ModelError listing where it looked.
std::filesystem::path resolve_model(std::string_view setting);

// The shared module that runs models with LibTorch (see attribute_model.cpp):
// $VIBED_TORCH_MODEL_MODULE as given when set; else the build tree's copy; else
// the one next to the executable (a relocated install). Throws ModelError
// naming both places when neither holds it.
std::filesystem::path torch_module_file();

}  // namespace vibed::core
