#include "daemon/app/model_selection.hpp"

#include "core/model/model_locator.hpp"

namespace vibed::daemon {
namespace {

std::string model_display_name(const config::ModelChoice& choice) {
    switch (choice.kind) {
        case config::ModelChoice::Kind::student: return std::string(core::kDefaultModelName);
        case config::ModelChoice::Kind::vibenet: return std::string(core::kTeacherModelName);
        case config::ModelChoice::Kind::file: return choice.file.stem().string();
    }
    return "unknown";
}

}  // namespace

ModelSelection select_model(const config::ModelChoice& choice) {
    const std::string name = model_display_name(choice);
    const std::filesystem::path file =
        choice.kind == config::ModelChoice::Kind::file ? choice.file : core::resolve_model(name);
    return {file, name};
}

}  // namespace vibed::daemon
