#pragma once
// What vibectl's database-backed commands share: the configuration, the
// index opened read-only (it works while the daemon writes) and the id of
// the configured model's results in it.

#include <optional>
#include <string>

#include "config/config.hpp"
#include "daemon/cli/cli_context.hpp"
#include "db/index.hpp"

namespace vibed::daemon {

struct LibraryAccess {
    config::Config config;
    db::Index index;
    std::string model_name;
    std::string model_sha256;
    // nullopt: nothing was ever analysed with this model.
    std::optional<std::int64_t> model_id;
};

// Throws std::runtime_error with a clear message when the index does not
// exist yet (the daemon has never run) or cannot be read.
LibraryAccess open_library(const CliContext& context);

config::Config load_cli_config(const CliContext& context);

}  // namespace vibed::daemon
