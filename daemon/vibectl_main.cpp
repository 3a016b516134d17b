// vibectl: the command-line client. Talks to the daemon where there is one,
// and works directly on files and the database where it need not.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "daemon/cli/analyze_command.hpp"
#include "daemon/cli/cli_context.hpp"
#include "daemon/cli/doctor_command.hpp"
#include "daemon/cli/library_commands.hpp"
#include "daemon/cli/map_command.hpp"
#include "daemon/cli/play_command.hpp"
#include "daemon/cli/similarity_commands.hpp"

int main(int argc, char** argv) {
    using namespace vibed::daemon;
    CLI::App app{"vibectl: mood playlists from your own music library"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("vibectl ") + VIBED_VERSION);
    // Global options may come after the subcommand too: `vibectl status -c FILE`.
    app.fallthrough();
    CliContext context;
    app.add_option("-c,--config", context.config_path, "Configuration file");
    add_analyze_command(app, context);
    add_dump_mel_command(app, context);
    add_library_commands(app, context);
    add_similarity_commands(app, context);
    add_doctor_command(app, context);
    add_play_command(app, context);
    add_map_command(app, context);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vibectl: %s\n", e.what());
        return 1;
    }
    return context.exit_code;
}
