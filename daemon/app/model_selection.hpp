#pragma once
// Which analysis model a configuration asks for, without loading it: the
// daemon loads it, vibectl only needs its name and file.

#include <filesystem>
#include <string>

#include "config/config.hpp"

namespace vibed::daemon {

// The model a configuration asks for: its file and the name stored in the index.
struct ModelSelection {
    std::filesystem::path file;
    std::string name;
};
// Throws core::ModelError when the model cannot be found.
ModelSelection select_model(const config::ModelChoice& choice);

}  // namespace vibed::daemon
