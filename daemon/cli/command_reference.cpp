#include "daemon/cli/command_reference.hpp"

#include <cstdio>
#include <vector>

namespace vibed::daemon {
namespace {

// The commands a user sees: hidden ones (no group) are left out.
std::vector<const CLI::App*> visible_commands(const CLI::App& app) {
    std::vector<const CLI::App*> commands;
    return app.get_subcommands([](const CLI::App* command) { return !command->get_group().empty(); });
}

// Every spelling of the non-positional options: "-f --format --json".
std::string option_words(const CLI::App& command) {
    std::string words;
    for (const CLI::Option* option : command.get_options()) {
        for (const auto& name : option->get_snames()) words += (words.empty() ? "-" : " -") + name;
        for (const auto& name : option->get_lnames()) words += (words.empty() ? "--" : " --") + name;
    }
    return words;
}

// Text inside roff: backslashes escaped, a leading '.' or '\'' kept as text,
// '-' as a real minus so that options can be searched for and copied.
std::string roff(const std::string& text) {
    std::string out;
    for (const char c : text) {
        if (c == '\\') {
            out += "\\e";
        } else if (c == '-') {
            out += "\\-";
        } else {
            out += c;
        }
    }
    if (!out.empty() && (out.front() == '.' || out.front() == '\'')) out.insert(0, "\\&");
    return out;
}

// "-f, --format TEXT" for a man page's tagged paragraph.
std::string option_heading(const CLI::Option& option) {
    std::string names;
    for (const auto& name : option.get_snames()) names += (names.empty() ? "-" : ", -") + name;
    for (const auto& name : option.get_lnames()) names += (names.empty() ? "--" : ", --") + name;
    std::string heading = "\\fB" + roff(names) + "\\fR";
    if (option.get_type_size() != 0 && !option.get_type_name().empty()) {
        heading += " \\fI" + roff(option.get_type_name()) + "\\fR";
    }
    return heading;
}

void describe_command(const CLI::App& command, std::string& page) {
    std::string usage = "\\fB" + roff(command.get_name()) + "\\fR";
    for (const CLI::Option* option : command.get_options()) {
        if (option->get_positional()) {
            const std::string name = "\\fI" + roff(option->get_name()) + "\\fR";
            usage += option->get_required() ? " " + name : " [" + name + "]";
        }
    }
    page += ".SS " + usage + "\n" + roff(command.get_description()) + "\n";
    for (const CLI::Option* option : command.get_options()) {
        if (option->get_lnames().empty() && option->get_snames().empty()) {
            page += ".TP\n\\fI" + roff(option->get_name()) + "\\fR\n" + roff(option->get_description()) + "\n";
        } else if (option->get_lnames() != std::vector<std::string>{"help"}) {
            page += ".TP\n" + option_heading(*option) + "\n" + roff(option->get_description()) + "\n";
        }
    }
}

constexpr const char* kManualTail = R"(.SH ENVIRONMENT
.TP
.B MPD_HOST, MPD_PORT
The MPD that \fBplay\fR, \fBradio \-\-current\fR and \fBdoctor\fR talk to, when the
configuration's [mpd] section names none (as for \fBmpc\fR(1)).
.TP
.B XDG_CONFIG_HOME, XDG_RUNTIME_DIR
Where the configuration (vibed/vibed.toml) and the running daemon's socket are looked for.
.SH FILES
.TP
.I ~/.config/vibed/vibed.toml
The configuration (\fB\-c\fR picks another); \fBvibectl doctor\fR says which one is used.
.TP
.I ~/.local/share/vibed/library.db
The index vibed keeps of the library.
.SH EXIT STATUS
0 on success; 1 when the command failed (one line on standard error says why); 2 for a
command line that cannot be understood; 3 when \fBplay\fR queued some tracks but skipped
others.
.SH SEE ALSO
\fBvibed\fR(1), \fBmpd\fR(1), \fBmpc\fR(1); the documentation in share/doc/vibed
(README.md, configuration.md, query\-language.md, radio.md).
)";

}  // namespace

std::string bash_completion(const CLI::App& app) {
    std::string commands;
    std::string cases;
    for (const CLI::App* command : visible_commands(app)) {
        commands += (commands.empty() ? "" : " ") + command->get_name();
        cases += "    " + command->get_name() + ") words='" + option_words(*command) + "' ;;\n";
    }
    return "# bash completion for vibectl, generated from its command table (vibectl completion bash).\n"
           "_vibectl() {\n"
           "  local cur=${COMP_WORDS[COMP_CWORD]} command='' words i\n"
           "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "    case ${COMP_WORDS[i]} in\n"
           "      -c|--config) ((i++)) ;;\n"
           "      -*) ;;\n"
           "      *) command=${COMP_WORDS[i]}; break ;;\n"
           "    esac\n"
           "  done\n"
           "  if [[ -z $command ]]; then\n"
           "    if [[ $cur == -* ]]; then words='" + option_words(app) + "'; else words='" + commands + "'; fi\n"
           "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
           "    return\n"
           "  fi\n"
           "  [[ $cur == -* ]] || return 0  # arguments: file names (complete -o default)\n"
           "  case $command in\n" + cases +
           "    *) words='' ;;\n"
           "  esac\n"
           // -c may follow the command too (main() lets global options fall through).
           "  COMPREPLY=($(compgen -W \"$words -c --config\" -- \"$cur\"))\n"
           "}\n"
           "complete -o default -F _vibectl vibectl\n";
}

std::string manual_page(const CLI::App& app, const std::string& version) {
    std::string page = ".\\\" Generated from vibectl's command table (vibectl manual-page); do not edit.\n"
                       ".TH VIBECTL 1 \"\" \"vibed " + roff(version) + "\" \"User Commands\"\n"
                       ".SH NAME\nvibectl \\- mood playlists from your own music library\n"
                       ".SH SYNOPSIS\n\\fBvibectl\\fR [\\fB\\-c\\fR \\fIFILE\\fR] \\fICOMMAND\\fR [\\fIARGUMENTS\\fR]\n"
                       ".SH DESCRIPTION\n"
                       "vibectl asks the running \\fBvibed\\fR(1) daemon about its progress, and reads the index it "
                       "keeps to list tracks, playlists, radios and journeys, to explain a track's moods, to write "
                       "M3U files and a map of the library, and to play any of them in MPD. "
                       "\\fBvibectl COMMAND \\-\\-help\\fR shows one command's options.\n"
                       ".SH OPTIONS\n.TP\n\\fB\\-c\\fR, \\fB\\-\\-config\\fR \\fIFILE\\fR\n"
                       "The configuration to use, before or after the command.\n"
                       ".TP\n\\fB\\-\\-version\\fR\nThe version.\n"
                       ".SH COMMANDS\n";
    for (const CLI::App* command : visible_commands(app)) describe_command(*command, page);
    return page + kManualTail;
}

void add_reference_commands(CLI::App& app, const std::string& version) {
    auto* completion = app.add_subcommand("completion", "A shell completion script: source <(vibectl completion bash)");
    auto shell = std::make_shared<std::string>();
    completion->add_option("shell", *shell, "bash")->required()->check(CLI::IsMember({"bash"}));
    // The callback holds `shell`, which CLI11 writes to, for as long as the command exists.
    completion->callback([&app, shell] { std::fputs(bash_completion(app).c_str(), stdout); });

    auto* manual = app.add_subcommand("manual-page", "vibectl(1) in roff, as installed");
    manual->group("");  // for the build, not for users
    manual->callback([&app, version] { std::fputs(manual_page(app, version).c_str(), stdout); });
}

}  // namespace vibed::daemon
