#include "daemon/cli/track_listing.hpp"

#include <nlohmann/json.hpp>

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "daemon/cli/attribute_table.hpp"
#include "daemon/cli/display_width.hpp"
#include "playlist/m3u/m3u_writer.hpp"
#include "playlist/query/text.hpp"

namespace vibed::daemon {

namespace fs = std::filesystem;

// Unknown (not yet measured) values are empty CSV fields and JSON nulls.
void write_feature_mood_header(std::ostream& out) {
    for (const auto name : core::kFeatureNames) out << ',' << name;
    out << ",key_name,mood_valence,mood_arousal";
    for (const auto name : core::kMoodNames) out << ',' << name;
    out << ",mood";
}

void write_feature_mood_values(std::ostream& out, const std::optional<core::MusicalFeatures>& features,
                               const std::optional<core::Moods>& moods) {
    for (std::size_t i = 0; i < core::kFeatureCount; ++i) {
        out << ',';
        if (features) out << core::feature_value(*features, i);
    }
    out << ',' << (features ? core::key_name(features->key, features->mode) : "");
    out << ',';
    if (moods) out << moods->valence;
    out << ',';
    if (moods) out << moods->arousal;
    for (std::size_t k = 0; k < core::kMoodCount; ++k) {
        out << ',';
        if (moods) out << moods->probabilities[k];
    }
    out << ',' << (moods ? core::to_string(moods->mood()) : "");
}

void add_feature_mood_fields(nlohmann::ordered_json& object, const std::optional<core::MusicalFeatures>& features,
                             const std::optional<core::Moods>& moods) {
    for (std::size_t i = 0; i < core::kFeatureCount; ++i) {
        object[std::string(core::kFeatureNames[i])] =
            features ? nlohmann::ordered_json(core::feature_value(*features, i)) : nlohmann::ordered_json();
    }
    // What JSON can say better than the numbers CSV and the index use: no
    // tempo is null, not 0 BPM; the key and the mode by name ("F#", "minor").
    if (features) {
        if (features->bpm <= 0) object["bpm"] = nullptr;
        const std::string key = core::key_name(features->key, core::Mode::major);
        object["key"] = key.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(key.substr(0, key.find(' ')));
        const std::string_view mode = core::to_string(features->mode);
        object["mode"] = mode.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(std::string(mode));
    }
    object["key_name"] = features ? core::key_name(features->key, features->mode) : std::string();
    object["mood_valence"] = moods ? nlohmann::ordered_json(moods->valence) : nlohmann::ordered_json();
    object["mood_arousal"] = moods ? nlohmann::ordered_json(moods->arousal) : nlohmann::ordered_json();
    for (std::size_t k = 0; k < core::kMoodCount; ++k) {
        object[std::string(core::kMoodNames[k])] =
            moods ? nlohmann::ordered_json(moods->probabilities[k]) : nlohmann::ordered_json();
    }
    object["mood"] = moods ? std::string(core::to_string(moods->mood())) : std::string();
}

namespace {

nlohmann::ordered_json row_json(const core::LibraryRow& row) {
    nlohmann::ordered_json object{
        {"path", json_path(row.path)},     {"title", row.tags.title},   {"artist", row.tags.artist},
        {"album", row.tags.album},         {"albumartist", row.tags.album_artist},
        {"genre", row.tags.genre},
        {"year", row.tags.year > 0 ? nlohmann::ordered_json(row.tags.year) : nullptr},
        {"track", row.tags.track_number > 0 ? nlohmann::ordered_json(row.tags.track_number) : nullptr},
        {"duration", row.tags.duration_seconds},
    };
    for (std::size_t i = 0; i < core::kAttributeCount; ++i) {
        object[std::string(core::kAttributeNames[i])] = row.attributes.at(i);
    }
    add_feature_mood_fields(object, row.features, row.moods);
    return object;
}

void write_csv(std::ostream& out, const std::vector<core::LibraryRow>& rows) {
    out << "path,title,artist,album,albumartist,genre,year,track,duration";
    for (const auto name : core::kAttributeNames) out << ',' << name;
    write_feature_mood_header(out);
    out << '\n';
    for (const auto& row : rows) {
        out << csv_field(row.path.string()) << ',' << csv_field(row.tags.title) << ',' << csv_field(row.tags.artist)
            << ',' << csv_field(row.tags.album) << ',' << csv_field(row.tags.album_artist) << ','
            << csv_field(row.tags.genre) << ',' << (row.tags.year > 0 ? std::to_string(row.tags.year) : "") << ','
            << (row.tags.track_number > 0 ? std::to_string(row.tags.track_number) : "") << ','
            << row.tags.duration_seconds;
        for (std::size_t i = 0; i < core::kAttributeCount; ++i) out << ',' << row.attributes.at(i);
        write_feature_mood_values(out, row.features, row.moods);
        out << '\n';
    }
}

}  // namespace

std::string format_duration(double seconds) {
    const auto total = static_cast<long>(seconds + 0.5);
    char text[32];
    if (total >= 3600) {
        std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, (total / 60) % 60, total % 60);
    } else {
        std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
    }
    return text;
}

std::string json_path(const std::filesystem::path& path) {
    std::string text = playlist::utf8_or_escaped(path.string());
    if (text != path.string()) {
        std::fprintf(stderr, "vibectl: %s: the file name is not UTF-8; JSON shows its other bytes as \\xHH\n", text.c_str());
    }
    return text;
}

std::string json_text(const nlohmann::ordered_json& document) {
    return document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string display_name(const core::LibraryRow& row) {
    if (row.tags.title.empty()) return playlist::printable_text(row.path.stem().string());
    return playlist::printable_text(row.tags.artist.empty() ? row.tags.title : row.tags.artist + " - " + row.tags.title);
}

TrackFormat parse_track_format(std::string_view name) {
    if (name == "table") return TrackFormat::table;
    if (name == "csv") return TrackFormat::csv;
    if (name == "json") return TrackFormat::json;
    if (name == "paths") return TrackFormat::paths;
    if (name == "m3u") return TrackFormat::m3u;
    throw std::invalid_argument("unknown format '" + std::string(name) + "'");
}

namespace {

void collect_fields(const playlist::Expr& expr, std::vector<const playlist::Field*>& fields) {
    if (expr.condition) {
        std::visit([&](const auto& condition) { fields.push_back(condition.field); }, *expr.condition);
    }
    for (const auto& operand : expr.operands) collect_fields(operand, fields);
}

// How long ago, in the largest whole unit the query language writes: "45m", "3d", "2w".
std::string format_age(double seconds) {
    const auto whole = static_cast<long>(seconds);
    if (whole < 3600) return std::to_string(whole / 60) + "m";
    if (whole < 86400) return std::to_string(whole / 3600) + "h";
    if (whole < 14 * 86400) return std::to_string(whole / 86400) + "d";
    return std::to_string(whole / (7 * 86400)) + "w";
}

// One table cell: attributes with three decimals, lengths as m:ss, ages as 3d, text cut short.
std::string cell(const playlist::Field& field, const core::LibraryRow& row) {
    const auto value = field.read(row);
    char text[64];
    if (const auto* number = std::get_if<double>(&value)) {
        if (field.name == "duration") return format_duration(*number);
        if (field.name == "added") return format_age(*number);
        if (field.kind == playlist::FieldKind::Number) {
            std::snprintf(text, sizeof text, "%.0f", *number);
        } else {
            std::snprintf(text, sizeof text, "%.3f", *number);
        }
        return text;
    }
    std::string shown = playlist::printable_text(std::get<std::string_view>(value));
    if (display_width(shown) <= 24) return shown;
    std::size_t end = 21;  // cut before a whole character, not inside one
    while (end > 0 && (static_cast<unsigned char>(shown[end]) & 0xC0) == 0x80) --end;
    return shown.substr(0, end) + "...";
}

void write_table(std::ostream& out, const std::vector<core::LibraryRow>& rows,
                 const std::vector<const playlist::Field*>& columns, const ListingStyle& style) {
    std::vector<std::size_t> widths;
    for (const auto* field : columns) {
        std::size_t width = display_width(field->name);
        for (const auto& row : rows) width = std::max(width, display_width(cell(*field, row)));
        widths.push_back(width);
    }
    if (!columns.empty() && !rows.empty()) {
        out << "   #   length";
        for (std::size_t i = 0; i < columns.size(); ++i) out << "  " << pad_left(std::string(columns[i]->name), widths[i]);
        out << "  track\n";
    }
    std::size_t position = 0;
    for (const auto& row : rows) {
        char prefix[32];
        std::snprintf(prefix, sizeof prefix, "%4zu  %7s", ++position, format_duration(row.tags.duration_seconds).c_str());
        std::string line = prefix;
        for (std::size_t i = 0; i < columns.size(); ++i) line += "  " + pad_left(cell(*columns[i], row), widths[i]);
        out << fitted_row(line + "  " + track_cell(row, style), style) << '\n';
    }
}

}  // namespace

ListingStyle listing_style(const config::Config& config) {
    ListingStyle style;
    style.library_roots = config.library.paths;
    if (const char* columns = std::getenv("COLUMNS"); columns != nullptr && std::atoi(columns) > 0) {
        style.width = static_cast<std::size_t>(std::atoi(columns));
    } else if (winsize size{}; ::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0) {
        style.width = size.ws_col;
    }
    return style;
}

std::vector<std::string> path_style_names() {
    std::vector<std::string> names;
    for (const auto style : util::kPathStyles) names.emplace_back(util::to_string(style));
    return names;
}

config::PathStyle parse_path_style(std::string_view name) {
    for (const auto style : util::kPathStyles) {
        if (util::to_string(style) == name) return style;
    }
    throw std::invalid_argument("unknown path style '" + std::string(name) + "'");
}

std::string track_cell(const core::LibraryRow& row, const ListingStyle& style) {
    fs::path shown = row.path;
    for (const auto& root : style.library_roots) {
        const fs::path relative = row.path.lexically_relative(root);
        if (!relative.empty() && *relative.begin() != "..") {
            shown = relative;
            break;
        }
    }
    return display_name(row) + "  (" + playlist::printable_text(shown.string()) + ")";
}

std::string fitted_row(const std::string& row, const ListingStyle& style) {
    return style.width == 0 ? row : cut_to_width(row, style.width);
}

std::vector<const playlist::Field*> query_columns(const playlist::Query& query) {
    std::vector<const playlist::Field*> used;
    if (query.filter) collect_fields(*query.filter, used);
    for (const auto& key : query.sort) used.push_back(key.field);
    std::vector<const playlist::Field*> columns;
    for (const auto* field : used) {
        if (field->name == "artist" || field->name == "title" || field->name == "path") continue;
        if (std::find(columns.begin(), columns.end(), field) == columns.end()) columns.push_back(field);
    }
    return columns;
}

void write_track_list(std::ostream& out, TrackFormat format, const std::vector<core::LibraryRow>& rows,
                      const std::vector<const playlist::Field*>& columns, std::string_view name,
                      const ListingStyle& style) {
    switch (format) {
        case TrackFormat::table: write_table(out, rows, columns, style); break;
        case TrackFormat::csv: write_csv(out, rows); break;
        case TrackFormat::json: {
            auto array = nlohmann::ordered_json::array();
            for (const auto& row : rows) array.push_back(row_json(row));
            out << json_text(array) << '\n';
            break;
        }
        case TrackFormat::paths:
            for (const auto& row : rows) out << row.path.string() << '\n';
            break;
        case TrackFormat::m3u: {
            config::OutputTarget target;
            target.path_style = style.m3u_paths;
            target.folder = style.m3u_folder.empty() ? fs::current_path() : style.m3u_folder;
            std::vector<std::string> warnings;
            out << playlist::render_m3u(target, style.library_roots, name, rows, warnings);
            for (const auto& warning : warnings) std::fprintf(stderr, "vibectl: %s\n", playlist::printable_text(warning).c_str());
            break;
        }
    }
}

}  // namespace vibed::daemon
