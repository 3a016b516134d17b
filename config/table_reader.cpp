// TableReader and the positions it reports (config/table_reader.hpp): the
// one place that turns a TOML node into a typed value or a positioned error.
#include "config/table_reader.hpp"

#include <stdexcept>

#include "config/xdg.hpp"

namespace vibed::config {
namespace {

namespace fs = std::filesystem;

// The line `line` (1-based) of `document`, without its line break.
std::string_view document_line(std::string_view document, std::uint32_t line) {
    std::size_t start = 0;
    for (std::uint32_t i = 1; i < line; ++i) {
        start = document.find('\n', start);
        if (start == std::string_view::npos) return {};
        ++start;
    }
    const std::size_t end = document.find('\n', start);
    return document.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

// Byte offset of the 1-based character column `column` in `line`.
std::size_t byte_of_column(std::string_view line, std::uint32_t column) {
    std::size_t byte = 0;
    for (std::uint32_t c = 1; c < column && byte < line.size(); ++c) {
        ++byte;
        while (byte < line.size() && (static_cast<unsigned char>(line[byte]) & 0xC0) == 0x80) ++byte;
    }
    return byte;
}

}  // namespace

std::string location(const toml::source_region& region) {
    const std::string file = region.path ? *region.path : std::string("<config>");
    return file + ":" + std::to_string(region.begin.line) + ":" + std::to_string(region.begin.column);
}

[[noreturn]] void fail_at(const toml::source_region& region, const std::string& message) {
    throw ConfigError(location(region) + ": " + message);
}

std::string_view describe(toml::node_type type) {
    switch (type) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a number";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::date:
        case toml::node_type::time:
        case toml::node_type::date_time: return "a date/time";
        case toml::node_type::none: break;
    }
    return "nothing";
}

SourceSpot spot_at(const toml::source_region& region) {
    return {region.path ? *region.path : std::string("<config>"), region.begin.line, region.begin.column, {}};
}

SourceSpot spot_of(const toml::node& node, const std::string& value, std::string_view document) {
    const auto& region = node.source();
    SourceSpot spot = spot_at(region);
    const std::string_view line = document_line(document, region.begin.line);
    const std::size_t quote = byte_of_column(line, region.begin.column);
    if (quote < line.size() && (line[quote] == '"' || line[quote] == '\'') &&
        line.substr(quote + 1, value.size()) == value && line.size() > quote + 1 + value.size() &&
        line[quote + 1 + value.size()] == line[quote]) {
        spot.column = region.begin.column + 1;
        spot.line_text = std::string(line);
    }
    return spot;
}

const toml::node* TableReader::find(std::string_view key) {
    known_.emplace(key);
    return table_.get(key);
}

void TableReader::fail(std::string_view key, const toml::node& node, const std::string& message) const {
    fail_at(node.source(), qualified(key) + ": " + message);
}

void TableReader::read(std::string_view key, bool& out) {
    if (const auto* node = find(key)) out = expect<toml::value<bool>>(key, *node, "true or false").get();
}

void TableReader::read(std::string_view key, std::string& out) {
    if (const auto* node = find(key)) out = expect<toml::value<std::string>>(key, *node, "a string").get();
}

void TableReader::read_path(std::string_view key, fs::path& out) {
    if (const auto* node = find(key)) out = to_path(key, *node);
}

void TableReader::read_paths(std::string_view key, std::vector<fs::path>& out) {
    const auto* node = find(key);
    if (node == nullptr) return;
    std::vector<fs::path> paths;
    for (const auto& element : expect<toml::array>(key, *node, "an array of paths")) {
        paths.push_back(to_path(key, element));
    }
    out = std::move(paths);
}

void TableReader::read_strings(std::string_view key, std::vector<std::string>& out) {
    const auto* node = find(key);
    if (node == nullptr) return;
    std::vector<std::string> strings;
    for (const auto& element : expect<toml::array>(key, *node, "an array of strings")) {
        const auto& text = expect<toml::value<std::string>>(key, element, "a string").get();
        if (text.empty()) fail(key, element, "must not be empty");
        strings.push_back(text);
    }
    out = std::move(strings);
}

fs::path TableReader::to_path(std::string_view key, const toml::node& node) const {
    const auto& text = expect<toml::value<std::string>>(key, node, "a path string").get();
    if (text.empty()) fail(key, node, "must not be empty");
    fs::path path;
    try {
        path = expand_path(text);
    } catch (const std::invalid_argument& error) {
        fail(key, node, error.what());
    }
    if (!path.is_absolute()) {
        fail(key, node, "\"" + text + "\" must be an absolute path (it may start with ~ or $XDG_...)");
    }
    return path;
}

void TableReader::reject_unknown_keys() const {
    for (const auto& [key, node] : table_) {
        if (!known_.contains(key.str())) {
            const std::string where = name_.empty() ? "" : " in [" + name_ + "]";
            fail_at(key.source(), "unknown key \"" + std::string(key.str()) + "\"" + where);
        }
    }
}

std::string TableReader::qualified(std::string_view key) const {
    return name_.empty() ? std::string(key) : name_ + "." + std::string(key);
}

const toml::table* find_table(TableReader& parent, std::string_view key) {
    const auto* node = parent.find(key);
    if (node == nullptr) return nullptr;
    return &parent.expect<toml::table>(key, *node, "a table");
}

}  // namespace vibed::config
