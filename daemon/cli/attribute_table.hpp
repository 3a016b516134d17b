#pragma once
// Writes per-file attributes as a table, CSV or JSON, with VibeNet's column
// names: `path` followed by the seven attributes; with `with_features`, the
// musical features follow under core::kFeatureNames, then `key_name`.

#include <filesystem>
#include <ostream>
#include <string_view>
#include <vector>

#include "core/features/musical_features.hpp"
#include "core/model/attributes.hpp"

namespace vibed::daemon {

enum class OutputFormat { table, csv, json };

// Throws std::invalid_argument for anything but "table", "csv" or "json".
OutputFormat parse_output_format(std::string_view name);

struct AttributeRow {
    std::filesystem::path path;
    core::Attributes attributes;
    core::MusicalFeatures features;
    std::vector<float> embedding;  // the model's (core::ModelOutput); empty if it has none
};

// What follows the attributes. The embedding is for CSV and JSON only: in
// CSV, columns embedding_0 .. embedding_<n-1> (empty fields for a row without
// one); in JSON, an "embedding" array (null without one). Printed with nine
// significant digits, which a float32 reads back exactly.
struct ExtraColumns {
    bool features = false;
    bool embedding = false;
};

// Throws std::invalid_argument for the embedding in a table.
void write_attribute_rows(std::ostream& out, OutputFormat format, const std::vector<AttributeRow>& rows,
                          ExtraColumns extra = {});

// RFC 4180 quoting, for any CSV we print.
std::string csv_field(std::string_view value);

}  // namespace vibed::daemon
