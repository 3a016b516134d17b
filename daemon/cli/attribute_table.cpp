#include "daemon/cli/attribute_table.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "daemon/cli/display_width.hpp"
#include "daemon/cli/track_listing.hpp"
#include "playlist/query/text.hpp"

namespace vibed::daemon {
namespace {

constexpr std::string_view kKeyNameColumn = "key_name";

std::string fixed(double value, int decimals) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

// `key` and `mode` are codes, printed as integers; the rest as measurements.
bool is_integer_feature(std::size_t index) {
    return core::kFeatureNames[index] == "key" || core::kFeatureNames[index] == "mode";
}

std::string feature_text(const core::MusicalFeatures& features, std::size_t index, int decimals) {
    return fixed(core::feature_value(features, index), is_integer_feature(index) ? 0 : decimals);
}

std::string key_text(const core::MusicalFeatures& features) { return core::key_name(features.key, features.mode); }

std::string exact(float value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.9g", static_cast<double>(value));
    return buffer;
}

std::size_t embedding_length(const std::vector<AttributeRow>& rows) {
    std::size_t length = 0;
    for (const auto& row : rows) length = std::max(length, row.embedding.size());
    return length;
}

void write_csv(std::ostream& out, const std::vector<AttributeRow>& rows, ExtraColumns extra) {
    const bool with_features = extra.features;
    const std::size_t embedding_columns = extra.embedding ? embedding_length(rows) : 0;
    out << "path";
    for (const auto name : core::kAttributeNames) out << ',' << name;
    if (with_features) {
        for (const auto name : core::kFeatureNames) out << ',' << name;
        out << ',' << kKeyNameColumn;
    }
    for (std::size_t i = 0; i < embedding_columns; ++i) out << ",embedding_" << i;
    out << '\n';
    for (const auto& row : rows) {
        out << csv_field(row.path.string());
        for (std::size_t i = 0; i < core::kAttributeCount; ++i) out << ',' << fixed(row.attributes.at(i), 6);
        if (with_features) {
            for (std::size_t i = 0; i < core::kFeatureCount; ++i) out << ',' << feature_text(row.features, i, 6);
            out << ',' << csv_field(key_text(row.features));
        }
        for (std::size_t i = 0; i < embedding_columns; ++i) {
            out << ',';
            if (row.embedding.size() == embedding_columns) out << exact(row.embedding[i]);
        }
        out << '\n';
    }
}

void write_json(std::ostream& out, const std::vector<AttributeRow>& rows, ExtraColumns extra) {
    const bool with_features = extra.features;
    auto array = nlohmann::ordered_json::array();
    for (const auto& row : rows) {
        nlohmann::ordered_json object;
        object["path"] = json_path(row.path);
        for (std::size_t i = 0; i < core::kAttributeCount; ++i) {
            object[std::string(core::kAttributeNames[i])] = row.attributes.at(i);
        }
        if (with_features) {
            for (std::size_t i = 0; i < core::kFeatureCount; ++i) {
                const double value = core::feature_value(row.features, i);
                auto& field = object[std::string(core::kFeatureNames[i])];
                if (is_integer_feature(i)) {
                    field = static_cast<int>(value);
                } else {
                    field = value;
                }
            }
            object[std::string(kKeyNameColumn)] = key_text(row.features);
        }
        if (extra.embedding) {
            auto& field = object["embedding"];
            if (row.embedding.empty()) {
                field = nullptr;
            } else {
                // Through the exact text, so JSON and CSV print the same numbers.
                field = nlohmann::ordered_json::array();
                for (const float value : row.embedding) field.push_back(std::stod(exact(value)));
            }
        }
        array.push_back(object);
    }
    out << json_text(array) << '\n';
}

// Right-aligns `value` under a column headed `name`.
std::string column(std::string_view name, const std::string& value) {
    const std::size_t width = std::max(name.size(), value.size());
    return std::string(width - value.size(), ' ') + value;
}

std::string header(std::string_view name, std::size_t value_width) {
    return std::string(name.size() < value_width ? value_width - name.size() : 0, ' ') + std::string(name);
}

void write_table(std::ostream& out, const std::vector<AttributeRow>& rows, bool with_features) {
    std::size_t path_width = 4;
    for (const auto& row : rows) path_width = std::max(path_width, display_width(playlist::printable_text(row.path.string())));
    const auto pad = [](std::string text, std::size_t width) { return pad_right(std::move(text), width); };
    // Feature columns are as wide as their name or their widest value.
    std::vector<std::size_t> feature_widths(core::kFeatureCount, 0);
    std::size_t key_width = kKeyNameColumn.size();
    if (with_features) {
        for (const auto& row : rows) {
            for (std::size_t i = 0; i < core::kFeatureCount; ++i) {
                feature_widths[i] = std::max(feature_widths[i], feature_text(row.features, i, 2).size());
            }
            key_width = std::max(key_width, key_text(row.features).size());
        }
    }
    out << pad("path", path_width);
    for (const auto name : core::kAttributeNames) out << "  " << name;
    if (with_features) {
        for (std::size_t i = 0; i < core::kFeatureCount; ++i) out << "  " << header(core::kFeatureNames[i], feature_widths[i]);
        out << "  " << pad(std::string(kKeyNameColumn), key_width);
    }
    out << '\n';
    for (const auto& row : rows) {
        out << pad(playlist::printable_text(row.path.string()), path_width);
        for (std::size_t i = 0; i < core::kAttributeCount; ++i) {
            out << "  " << column(core::kAttributeNames[i], fixed(row.attributes.at(i), 3));
        }
        if (with_features) {
            for (std::size_t i = 0; i < core::kFeatureCount; ++i) {
                const std::string value = feature_text(row.features, i, 2);
                out << "  " << std::string(std::max(core::kFeatureNames[i].size(), feature_widths[i]) - value.size(), ' ')
                    << value;
            }
            out << "  " << pad(key_text(row.features), key_width);
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

void write_attribute_rows(std::ostream& out, OutputFormat format, const std::vector<AttributeRow>& rows,
                          ExtraColumns extra) {
    switch (format) {
        case OutputFormat::table:
            if (extra.embedding) throw std::invalid_argument("the embedding is printed only with -f csv or -f json");
            write_table(out, rows, extra.features);
            break;
        case OutputFormat::csv: write_csv(out, rows, extra); break;
        case OutputFormat::json: write_json(out, rows, extra); break;
    }
}

}  // namespace vibed::daemon
