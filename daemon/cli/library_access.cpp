#include "daemon/cli/library_access.hpp"

#include "core/model/file_digest.hpp"
#include "daemon/service/daemon.hpp"

namespace vibed::daemon {

config::Config load_cli_config(const CliContext& context) { return config::load_config(context.config_path); }

LibraryAccess open_library(const CliContext& context) {
    config::Config config = load_cli_config(context);
    std::error_code error;
    if (!std::filesystem::exists(config.database.path, error)) {
        throw std::runtime_error(config.database.path.string() +
                                 ": no index yet; start vibed (or run `vibed --once`) to build it");
    }
    db::Index index = db::Index::open_readonly(config.database.path);
    const ModelSelection model = select_model(config.analysis.model);
    const std::string sha256 = core::sha256_file(model.file);
    const auto model_id = index.find_model(sha256);
    return LibraryAccess{std::move(config), std::move(index), model.name, sha256, model_id};
}

}  // namespace vibed::daemon
