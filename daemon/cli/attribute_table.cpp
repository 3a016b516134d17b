#include "daemon/cli/attribute_table.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace vibed::daemon {
namespace {

std::string fixed(float value, int decimals) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, static_cast<double>(value));
    return buffer;
}

void write_csv(std::ostream& out, const std::vector<AttributeRow>& rows) {
    out << "path";
    for (const auto name : core::kAttributeNames) out << ',' << name;
    out << '\n';
    for (const auto& row : rows) {
        out << csv_field(row.path.string());
        for (std::size_t i = 0; i < core::kAttributeCount; ++i) out << ',' << fixed(row.attributes.at(i), 6);
        out << '\n';
    }
}

void write_json(std::ostream& out, const std::vector<AttributeRow>& rows) {
    auto array = nlohmann::ordered_json::array();
    for (const auto& row : rows) {
        nlohmann::ordered_json object;
        object["path"] = row.path.string();
        for (std::size_t i = 0; i < core::kAttributeCount; ++i) {
            object[std::string(core::kAttributeNames[i])] = row.attributes.at(i);
        }
        array.push_back(object);
    }
    out << array.dump(2) << '\n';
}

void write_table(std::ostream& out, const std::vector<AttributeRow>& rows) {
    std::size_t path_width = 4;
    for (const auto& row : rows) path_width = std::max(path_width, row.path.string().size());
    const auto pad = [](std::string text, std::size_t width) {
        text.resize(std::max(width, text.size()), ' ');
        return text;
    };
    out << pad("path", path_width);
    for (const auto name : core::kAttributeNames) out << "  " << name;
    out << '\n';
    for (const auto& row : rows) {
        out << pad(row.path.string(), path_width);
        for (std::size_t i = 0; i < core::kAttributeCount; ++i) {
            const auto value = fixed(row.attributes.at(i), 3);
            out << "  " << std::string(core::kAttributeNames[i].size() - value.size(), ' ') << value;
        }
        out << '\n';
    }
}

}  // namespace

OutputFormat parse_output_format(std::string_view name) {
    if (name == "table") return OutputFormat::table;
    if (name == "csv") return OutputFormat::csv;
    if (name == "json") return OutputFormat::json;
    throw std::invalid_argument("unknown output format '" + std::string(name) + "' (expected table, csv or json)");
}

std::string csv_field(std::string_view value) {
    if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
    std::string quoted = "\"";
    for (const char c : value) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

void write_attribute_rows(std::ostream& out, OutputFormat format, const std::vector<AttributeRow>& rows) {
    switch (format) {
        case OutputFormat::table: write_table(out, rows); break;
        case OutputFormat::csv: write_csv(out, rows); break;
        case OutputFormat::json: write_json(out, rows); break;
    }
}

}  // namespace vibed::daemon
