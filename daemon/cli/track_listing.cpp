#include "daemon/cli/track_listing.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace vibed::daemon {
namespace {

nlohmann::ordered_json row_json(const db::LibraryRow& row) {
    nlohmann::ordered_json object{
        {"path", row.path.string()},       {"title", row.tags.title},   {"artist", row.tags.artist},
        {"album", row.tags.album},         {"albumartist", row.tags.album_artist},
        {"genre", row.tags.genre},         {"year", row.tags.year},     {"track", row.tags.track_number},
        {"duration", row.tags.duration_seconds},
    };
    for (std::size_t i = 0; i < core::kAttributeCount; ++i) {
        object[std::string(core::kAttributeNames[i])] = row.attributes.at(i);
    }
    return object;
}

void write_csv(std::ostream& out, const std::vector<db::LibraryRow>& rows) {
    out << "path,title,artist,album,albumartist,genre,year,track,duration";
    for (const auto name : core::kAttributeNames) out << ',' << name;
    out << '\n';
    for (const auto& row : rows) {
        out << csv_field(row.path.string()) << ',' << csv_field(row.tags.title) << ',' << csv_field(row.tags.artist)
            << ',' << csv_field(row.tags.album) << ',' << csv_field(row.tags.album_artist) << ','
            << csv_field(row.tags.genre) << ',' << row.tags.year << ',' << row.tags.track_number << ','
            << row.tags.duration_seconds;
        for (std::size_t i = 0; i < core::kAttributeCount; ++i) out << ',' << row.attributes.at(i);
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

std::string display_name(const db::LibraryRow& row) {
    if (row.tags.title.empty()) return row.path.stem().string();
    return row.tags.artist.empty() ? row.tags.title : row.tags.artist + " - " + row.tags.title;
}

void write_track_list(std::ostream& out, OutputFormat format, const std::vector<db::LibraryRow>& rows) {
    switch (format) {
        case OutputFormat::table: {
            std::size_t position = 0;
            for (const auto& row : rows) {
                char prefix[32];
                std::snprintf(prefix, sizeof prefix, "%4zu  %7s  ", ++position,
                              format_duration(row.tags.duration_seconds).c_str());
                out << prefix << display_name(row) << "  (" << row.path.string() << ")\n";
            }
            break;
        }
        case OutputFormat::csv: write_csv(out, rows); break;
        case OutputFormat::json: {
            auto array = nlohmann::ordered_json::array();
            for (const auto& row : rows) array.push_back(row_json(row));
            out << array.dump(2) << '\n';
            break;
        }
    }
}

}  // namespace vibed::daemon
