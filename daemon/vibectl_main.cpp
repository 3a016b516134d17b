// vibectl: the command-line client. Talks to the daemon where there is one,
// and works directly on files and the database where it need not.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <optional>
#include <string>

#include "daemon/cli/analyze_command.hpp"
#include "daemon/cli/cli_context.hpp"
#include "daemon/cli/command_reference.hpp"
#include "daemon/cli/doctor_command.hpp"
#include "daemon/cli/library_commands.hpp"
#include "daemon/cli/map_command.hpp"
#include "daemon/cli/play_command.hpp"
#include "daemon/cli/similarity_commands.hpp"
#include "playlist/query/text.hpp"

namespace {

// `vibectl stauts`: CLI11 only says that a subcommand is required. The first
// word that is not an option names the command; nullopt when it is one.
std::optional<std::string> unknown_command(CLI::App& app, int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string word = argv[i];
        if (word == "-c" || word == "--config") {
            ++i;
            continue;
        }
        if (word.starts_with('-')) continue;
        const auto commands = app.get_subcommands([](CLI::App*) { return true; });
        std::string nearest;
        std::string names;
        std::size_t nearest_distance = 3;  // at most two edits away
        for (auto* command : commands) {
            if (command->check_name(word)) return std::nullopt;
            names += (names.empty() ? "" : ", ") + command->get_name();
            const std::size_t distance = vibed::playlist::edit_distance(word, command->get_name());
            if (distance < nearest_distance) {
                nearest = command->get_name();
                nearest_distance = distance;
            }
        }
        return "unknown command '" + word + "'" +
               (nearest.empty() ? "; commands are " + names : "; did you mean '" + nearest + "'?");
    }
    return std::nullopt;
}

}  // namespace

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
    add_reference_commands(app, VIBED_VERSION);  // last: it describes the commands above
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (const auto unknown = unknown_command(app, argc, argv)) {
            std::fprintf(stderr, "vibectl: %s\n", unknown->c_str());
            return 2;
        }
        return app.exit(e) == 0 ? 0 : 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vibectl: %s\n", vibed::playlist::printable_text(e.what()).c_str());
        return 1;
    }
    return context.exit_code;
}
