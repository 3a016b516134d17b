#include "daemon/cli/library_commands.hpp"

#include <cstdio>
#include <iostream>
#include <set>
#include <sstream>

#include "daemon/cli/attribute_table.hpp"
#include "daemon/cli/library_access.hpp"
#include "daemon/cli/mood_explanation.hpp"
#include "daemon/cli/track_listing.hpp"
#include "daemon/control/control_client.hpp"
#include "daemon/app/playlist_builder.hpp"
#include "daemon/app/similarity_search.hpp"
#include "daemon/app/status_report.hpp"
#include "core/util/atomic_file.hpp"
#include "playlist/m3u/m3u_writer.hpp"
#include "playlist/query/parser.hpp"
#include "playlist/query/query_error.hpp"
#include "playlist/query/sql_compiler.hpp"
#include "playlist/query/text.hpp"
#include "daemon/app/playlist_rules.hpp"
#include "playlist/selection.hpp"

namespace vibed::daemon {
namespace {

namespace fs = std::filesystem;

void note(const std::string& message) {
    std::fprintf(stderr, "vibectl: %s\n", playlist::printable_text(message).c_str());
}

// ---- status / scan ---------------------------------------------------------

// How long `status` waits for a daemon that accepted the connection before
// it shows what the index holds instead (a stopped or overloaded vibed).
constexpr std::chrono::seconds kStatusReplyTimeout{5};

// The daemon's status, or nullopt when none listens or it does not answer in time.
std::optional<nlohmann::json> daemon_status(const config::Config& config) {
    std::optional<Reply> reply;
    try {
        reply = call_daemon(config.daemon.socket, Request{"status", {}}, kStatusReplyTimeout);
    } catch (const std::exception& e) {
        note(std::string(e.what()) + "; showing what the index holds");
        return std::nullopt;
    }
    if (!reply) return std::nullopt;
    if (!reply->ok) throw std::runtime_error("vibed: " + reply->error);
    return reply->result;
}

void run_status(const CliContext& context, bool as_json) {
    const config::Config config = load_cli_config(context);
    nlohmann::json status;
    if (auto answered = daemon_status(config)) {
        status = std::move(*answered);
    } else {
        LibraryAccess library = open_library(context);
        std::int64_t similarity_model_id = 0;
        if (library.model_id) {
            try {
                similarity_model_id = find_similarity_space(library.index, *library.model_id, library.config).similarity_model_id;
            } catch (const std::exception&) {
                // similarity off or its file missing: no vectors to count
            }
        }
        const db::IndexStats stats = library.index.stats(library.model_id.value_or(-1), similarity_model_id);
        status = status_report(library.config, library.model_name, library.model_sha256, stats, nullptr);
    }
    std::cout << (as_json ? status.dump(2) + "\n" : format_status(status));
}

// The files that could not be analysed, with the reason: they are not
// retried until they change, so this is the list to look at.
void run_errors(const CliContext& context, bool as_json) {
    LibraryAccess library = open_library(context);
    nlohmann::json failed = nlohmann::json::array();
    library.index.for_each_track(library.model_id.value_or(-1), [&](const db::TrackRecord& track) {
        if (track.status != db::TrackStatus::error) return;
        if (as_json) {
            failed.push_back({{"path", json_path(track.path)}, {"error", track.error}});
            return;
        }
        // The error usually starts with the file name already.
        const bool names_file = track.error.rfind(track.path.string(), 0) == 0;
        std::printf("%s\n", playlist::printable_text(names_file ? track.error : track.path.string() + ": " + track.error).c_str());
        failed.push_back(nullptr);
    });
    if (as_json) {
        std::cout << failed.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
        note(failed.empty() ? "no failed tracks" : std::to_string(failed.size()) + " tracks failed");
    }
}

void run_scan(const CliContext& context, const std::string& path) {
    const config::Config config = load_cli_config(context);
    nlohmann::json args = nlohmann::json::object();
    if (!path.empty()) args["path"] = fs::absolute(path).lexically_normal().string();
    const auto reply = call_daemon(config.daemon.socket, Request{"scan", args});
    if (!reply) {
        throw std::runtime_error("vibed is not running (no socket at " + config.daemon.socket.string() +
                                 "); start it with `systemctl --user start vibed`");
    }
    if (!reply->ok) throw std::runtime_error("vibed: " + reply->error);
    std::cout << "scan of " << reply->result.value("scan", std::string("library")) << " requested\n";
}

// Asks the daemon to read its configuration again; the outcome is its reply.
void run_reload(CliContext& context) {
    const config::Config config = load_cli_config(context);
    const auto reply = call_daemon(config.daemon.socket, Request{"reload", {}});
    if (!reply) {
        throw std::runtime_error("vibed is not running (no socket at " + config.daemon.socket.string() +
                                 "); it reads the configuration when it starts");
    }
    if (!reply->ok) {
        std::fprintf(stderr, "vibed: %s\n", reply->error.c_str());
        context.exit_code = 1;
        return;
    }
    std::printf("vibed reloaded its configuration from %s\n", reply->result.value("config", std::string("?")).c_str());
}

// ---- tracks / export ----------------------------------------------------------

// Tags store an unknown year or track number as 0; exports leave it empty
// (CSV) or null (JSON) rather than claim year 0.
std::string known_number(int value) { return value > 0 ? std::to_string(value) : std::string(); }
nlohmann::ordered_json known_json(int value) { return value > 0 ? nlohmann::ordered_json(value) : nullptr; }

void run_tracks(const CliContext& context, const std::string& query_text, const std::string& format,
                const std::string& path_style) {
    LibraryAccess library = open_library(context);
    ListingStyle style = listing_style(library.config);
    style.m3u_paths = parse_path_style(path_style);
    const QuerySelection selection = select_by_query(library, query_text);
    // On stderr, so that `-f paths | mpc add` gets only paths.
    std::fprintf(stderr, "%zu %s match", selection.matches, selection.matches == 1 ? "track" : "tracks");
    if (selection.tracks.size() != selection.matches) std::fprintf(stderr, "; %zu listed", selection.tracks.size());
    std::fprintf(stderr, "\n");
    write_track_list(std::cout, parse_track_format(format), selection.tracks,
                     query_columns(selection.query), query_text, style);
}

void run_export(const CliContext& context, const std::string& format) {
    LibraryAccess library = open_library(context);
    const std::int64_t model_id = library.model_id.value_or(-1);
    const bool csv = format == "csv";
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    if (csv) {
        std::cout << "path,status,error,title,artist,album,albumartist,genre,year,track,duration";
        for (const auto name : core::kAttributeNames) std::cout << ',' << name;
        write_feature_mood_header(std::cout);
        std::cout << '\n';
    }
    library.index.for_each_track(model_id, [&](const db::TrackRecord& track) {
        if (csv) {
            std::cout << csv_field(track.path.string()) << ',' << db::to_string(track.status) << ','
                      << csv_field(track.error) << ',' << csv_field(track.tags.title) << ','
                      << csv_field(track.tags.artist) << ',' << csv_field(track.tags.album) << ','
                      << csv_field(track.tags.album_artist) << ',' << csv_field(track.tags.genre) << ','
                      << known_number(track.tags.year) << ',' << known_number(track.tags.track_number) << ','
                      << track.tags.duration_seconds;
            for (std::size_t i = 0; i < core::kAttributeCount; ++i) {
                std::cout << ',';
                if (track.attributes) std::cout << track.attributes->at(i);
            }
            write_feature_mood_values(std::cout, track.features, track.moods);
            std::cout << '\n';
            return;
        }
        nlohmann::ordered_json object{{"path", json_path(track.path)}, {"status", db::to_string(track.status)},
                                      {"error", track.error},        {"title", track.tags.title},
                                      {"artist", track.tags.artist}, {"album", track.tags.album},
                                      {"albumartist", track.tags.album_artist}, {"genre", track.tags.genre},
                                      {"year", known_json(track.tags.year)},
                                      {"track", known_json(track.tags.track_number)},
                                      {"duration", track.tags.duration_seconds}};
        for (std::size_t i = 0; i < core::kAttributeCount; ++i) {
            object[std::string(core::kAttributeNames[i])] =
                track.attributes ? nlohmann::ordered_json(track.attributes->at(i)) : nlohmann::ordered_json(nullptr);
        }
        add_feature_mood_fields(object, track.features, track.moods);
        array.push_back(std::move(object));
    });
    if (!csv) std::cout << json_text(array) << '\n';
}

// ---- playlists ------------------------------------------------------------------

struct PlaylistOptions {
    std::string name;
    bool write = false;
    bool dry_run = false;
    bool new_draw = false;
    std::string format = "table";
    std::string path_style = "absolute";  // of -f m3u
};

// The entries of an M3U text (its lines that are not # comments).
std::set<std::string> m3u_entries(const std::string& text) {
    std::set<std::string> entries;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty() && line[0] != '#') entries.insert(line);
    }
    return entries;
}

// --dry-run: per file, whether it would change and how (entries in and out).
void show_dry_run(const LibraryAccess& library, const config::PlaylistDefinition& definition,
                  const BuiltPlaylist& built) {
    for (const auto& output : library.config.outputs) {
        const fs::path file = output.folder / playlist::playlist_file_name(definition.name, output.extension);
        std::vector<std::string> warnings;
        const std::string content =
            playlist::render_m3u(output, library.config.library.paths, definition.name, built.tracks, warnings);
        const auto old = util::read_file_if_exists(file);
        for (const auto& warning : warnings) note(warning);
        if (old == content) {
            std::fprintf(stderr, "unchanged: %s\n", file.c_str());
            continue;
        }
        const auto before = m3u_entries(old.value_or(""));
        const auto after = m3u_entries(content);
        std::size_t added = 0;
        for (const auto& entry : after) added += before.count(entry) == 0 ? 1 : 0;
        const std::size_t removed = before.size() + added - after.size();
        std::fprintf(stderr, "would %s %s: %zu tracks, %zu new, %zu gone%s\n", old ? "rewrite" : "create", file.c_str(),
                     after.size(), added, removed, added == 0 && removed == 0 ? " (same tracks, new order)" : "");
    }
}

void run_playlist(const CliContext& context, const PlaylistOptions& options) {
    // --new-draw publishes the new draw: the files change like with --write.
    const bool write = options.write || options.new_draw;
    if (options.new_draw && options.dry_run) {
        throw std::runtime_error("--new-draw writes the new draw; without it --dry-run shows the current one");
    }
    LibraryAccess library = open_library(context, write ? ConfigUse::acting : ConfigUse::read_only);
    const auto& definition = require_playlist(library.config, options.name);
    if (options.new_draw) bump_draw(draws_file_for(library.config.database.path), config::slug(definition.name));
    const BuiltPlaylist built = build_named(library, definition);

    double total_seconds = 0;
    for (const auto& row : built.tracks) total_seconds += row.tags.duration_seconds;
    if (options.dry_run || options.format == "table") {
        std::fprintf(stderr, "%s: %zu tracks match `%s`; %zu in the playlist (%s)\n", definition.name.c_str(),
                     built.matches, built.query_text.c_str(), built.tracks.size(),
                     format_duration(total_seconds).c_str());
    }
    ListingStyle style = listing_style(library.config);
    style.m3u_paths = parse_path_style(options.path_style);
    write_track_list(std::cout, parse_track_format(options.format), built.tracks,
                     query_columns(rule_query(definition)), definition.name, style);
    if (options.dry_run) return show_dry_run(library, definition, built);
    if (!write) return;
    for (const auto& output : library.config.outputs) {
        const auto result = playlist::write_playlist(output, library.config.library.paths, definition.name, built.tracks);
        for (const auto& warning : result.warnings) note(warning);
        std::fprintf(stderr, "%s %s\n", result.changed ? "wrote" : "unchanged:", result.path.c_str());
    }
}

// Rewrites every playlist now: through the daemon when it runs (so there is
// one writer), else directly from the database.
void write_all_playlists(const CliContext& context) {
    const config::Config config = load_cli_config(context, ConfigUse::acting);
    if (const auto reply = call_daemon(config.daemon.socket, Request{"publish-playlists", {}})) {
        if (!reply->ok) throw std::runtime_error("vibed: " + reply->error);
        std::fprintf(stderr, "vibed rewrote the playlists that changed\n");
        return;
    }
    LibraryAccess library = open_library(context);
    const auto report = publish_playlists(library.index, require_model(library), library.config,
                                          draws_file_for(library.config.database.path));
    for (const auto& problem : report.problems) note(problem);
    std::fprintf(stderr, "%zu playlist files written, %zu unchanged\n", report.written, report.unchanged);
}

void run_playlists(const CliContext& context, bool write) {
    if (write) write_all_playlists(context);
    LibraryAccess library = open_library(context);
    for (const auto& definition : library.config.playlist_definitions) {
        std::string count = "-";
        try {
            count = std::to_string(build_named(library, definition).tracks.size());
        } catch (const std::exception& e) {
            note(e.what());
        }
        std::string aliases;
        for (const auto& alias : definition.aliases) aliases += (aliases.empty() ? " (" : ", ") + alias;
        if (!aliases.empty()) aliases += ")";
        std::printf("%6s  %s%s: %s\n", count.c_str(), definition.name.c_str(), aliases.c_str(),
                    definition.description.c_str());
    }
}

// ---- explain --------------------------------------------------------------------

void collect_fields(const playlist::Expr& expr, std::set<const playlist::Field*>& fields) {
    if (expr.condition) {
        std::visit([&](const auto& condition) { fields.insert(condition.field); }, *expr.condition);
    }
    for (const auto& operand : expr.operands) collect_fields(operand, fields);
}

std::string field_value_text(const playlist::Field& field, const core::LibraryRow& row) {
    const auto value = field.read(row);
    if (const auto* number = std::get_if<double>(&value)) {
        char text[32];
        std::snprintf(text, sizeof text, "%.3f", *number);
        return text;
    }
    return "\"" + playlist::printable_text(std::get<std::string_view>(value)) + "\"";
}

void run_explain(const CliContext& context, const std::string& track, const std::string& playlist_name) {
    LibraryAccess library = open_library(context);
    const fs::path path = fs::absolute(track).lexically_normal();
    const auto record = library.index.find_track(path, require_model(library));
    if (!record) throw std::runtime_error(path.string() + ": not in the index");
    if (!record->attributes) {
        throw std::runtime_error(path.string() + ": not analysed (" + std::string(db::to_string(record->status)) +
                                 (record->error.empty() ? "" : ": " + record->error) + ")");
    }
    const core::LibraryRow row = record->library_row();
    if (playlist_name.empty()) {
        std::printf("%s\n", display_name(row).c_str());
        print_mood_explanation(*record, library.config);
        return;
    }
    const auto& definition = require_playlist(library.config, playlist_name);
    const playlist::Query query =
        without_excluded(rule_query(definition), library.config.playlists.exclude);
    std::printf("%s\nrule of %s: %s\n", display_name(row).c_str(), definition.name.c_str(),
                playlist::to_string(query).c_str());
    for (const playlist::Expr* condition : playlist::top_level_conditions(query)) {
        std::set<const playlist::Field*> fields;
        collect_fields(*condition, fields);
        std::string values;
        for (const auto* field : fields) {
            values += (values.empty() ? "" : ", ") + std::string(field->name) + " = " + field_value_text(*field, row);
        }
        std::printf("  %-5s %s   [%s]\n", playlist::evaluate(*condition, row) ? "yes" : "NO",
                    playlist::to_string(*condition).c_str(), values.c_str());
    }
    const bool matches = playlist::evaluate(query, row);
    std::printf("%s the rule.\n", matches ? "matches" : "does not match");
    if (matches) {
        const BuiltPlaylist built = build_named(library, definition);
        const bool included = std::any_of(built.tracks.begin(), built.tracks.end(),
                                          [&](const core::LibraryRow& r) { return r.path == row.path; });
        std::printf("%s\n", included ? "It is in the playlist." : "It is left out by the playlist's limit.");
    }
    print_mood_explanation(*record, library.config);
}

}  // namespace

namespace {

// status, errors, scan, reload: the daemon and the index as a whole.
void add_state_commands(CLI::App& app, CliContext& context) {
    auto* status = app.add_subcommand("status", "Indexing progress and index contents");
    auto status_json = std::make_shared<bool>(false);
    status->add_flag("--json", *status_json, "Machine-readable output");
    status->callback([&context, status_json] { run_status(context, *status_json); });

    auto* errors = app.add_subcommand("errors", "The tracks that could not be analysed, and why");
    auto errors_json = std::make_shared<bool>(false);
    errors->add_flag("--json", *errors_json, "Machine-readable output");
    errors->callback([&context, errors_json] { run_errors(context, *errors_json); });

    auto* scan = app.add_subcommand("scan", "Ask vibed to rescan the library or one folder");
    auto scan_path = std::make_shared<std::string>();
    scan->add_option("path", *scan_path, "Folder to rescan (default: the whole library)");
    scan->callback([&context, scan_path] { run_scan(context, *scan_path); });

    auto* reload = app.add_subcommand("reload", "Ask vibed to read its configuration again, and say whether it took");
    reload->callback([&context] { run_reload(context); });
}

// tracks, export: the index's tracks.
void add_track_commands(CLI::App& app, CliContext& context) {
    auto* tracks = app.add_subcommand("tracks", "Tracks matching a query, e.g. 'energy > 0.7 and valence > 0.6'");
    // Words, joined: `vibectl tracks artist:x genre:rock` as `play` takes it, unquoted.
    auto query = std::make_shared<std::vector<std::string>>();
    auto tracks_format = std::make_shared<std::string>("table");
    auto tracks_paths = std::make_shared<std::string>("absolute");
    tracks->add_option("query", *query, "Query (see docs/query-language.md), quoted or not")->required();
    tracks->add_option("-f,--format", *tracks_format, std::string(kTrackFormatHelp))
        ->check(CLI::IsMember({"table", "csv", "json", "paths", "m3u"}));
    tracks->add_option("--path-style", *tracks_paths, std::string(kPathStyleHelp))->check(CLI::IsMember(path_style_names()));
    tracks->callback([&context, query, tracks_format, tracks_paths] {
        run_tracks(context, query_from_words(*query), *tracks_format, *tracks_paths);
    });

    auto* exporter = app.add_subcommand("export", "Every indexed track with its tags and attributes");
    auto export_format = std::make_shared<std::string>("csv");
    exporter->add_option("-f,--format", *export_format)->check(CLI::IsMember({"csv", "json"}));
    exporter->callback([&context, export_format] { run_export(context, *export_format); });
}

// playlist, playlists, explain: the configured playlists.
void add_playlist_commands(CLI::App& app, CliContext& context) {
    auto* named = app.add_subcommand("playlist", "The tracks of a named playlist ('driving' finds Driving Vibes)");
    auto options = std::make_shared<PlaylistOptions>();
    named->add_option("name", options->name, "Playlist name, slug or alias")->required();
    named->add_flag("--write", options->write, "Write its M3U files now");
    named->add_flag("--dry-run", options->dry_run, "Show which files would change and how (tracks new and gone); write nothing");
    named->add_flag("--new-draw", options->new_draw, "Shuffle it anew and write its files (kept until the next --new-draw)");
    named->add_option("-f,--format", options->format, std::string(kTrackFormatHelp))
        ->check(CLI::IsMember({"table", "csv", "json", "paths", "m3u"}));
    named->add_option("--path-style", options->path_style, std::string(kPathStyleHelp) + " (-f m3u)")
        ->check(CLI::IsMember(path_style_names()));
    named->callback([&context, options] { run_playlist(context, *options); });

    auto* list = app.add_subcommand("playlists", "The configured playlists and their track counts");
    auto write_all = std::make_shared<bool>(false);
    list->add_flag("--write", *write_all, "Rewrite every playlist's M3U files now");
    list->callback([&context, write_all] { run_playlists(context, *write_all); });

    auto* explain = app.add_subcommand("explain", "A track's moods and why; with a playlist, why it is in or out");
    auto explain_track = std::make_shared<std::string>();
    auto explain_playlist = std::make_shared<std::string>();
    explain->add_option("track", *explain_track, "Path of an indexed file")->required();
    explain->add_option("playlist", *explain_playlist, "Playlist name, slug or alias (optional)");
    explain->callback([&context, explain_track, explain_playlist] { run_explain(context, *explain_track, *explain_playlist); });
}

}  // namespace

void add_library_commands(CLI::App& app, CliContext& context) {
    add_state_commands(app, context);
    add_track_commands(app, context);
    add_playlist_commands(app, context);
}

}  // namespace vibed::daemon
