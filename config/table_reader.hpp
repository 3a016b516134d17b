#pragma once
// Reading TOML tables into typed values with positioned errors (internal to
// vibed_config). Every section reader (config/section_readers.hpp) goes
// through TableReader, so every message has the same "file:line:column: key:"
// shape and every table rejects the keys nobody asked for.

#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace vibed::config {

// The source name under which the compiled-in config/vibed.toml is parsed.
inline constexpr std::string_view kBuiltInSourceName = "<built-in defaults>";

// "file:line:column" of the region's start.
std::string location(const toml::source_region& region);

// Throws ConfigError("file:line:column: message").
[[noreturn]] void fail_at(const toml::source_region& region, const std::string& message);

// "a string", "an integer"...: what a value of this type is, for messages.
std::string_view describe(toml::node_type type);

// Where the region starts, without the line's text.
SourceSpot spot_at(const toml::source_region& region);

// Where the string `node` holding `value` was written. When the line of
// `document` shows it verbatim between quotes, the spot is its first
// character and the line is kept (so an error in a query gets a caret).
SourceSpot spot_of(const toml::node& node, const std::string& value, std::string_view document);

// Reads the keys of one TOML table into typed values. It remembers which keys
// it was asked for, so everything else can be reported as an unknown key.
class TableReader {
public:
    // `name` is the table's dotted name in messages; empty for the document root.
    TableReader(const toml::table& table, std::string name) : table_(table), name_(std::move(name)) {}

    // The node under `key`, or nullptr when the key is absent.
    const toml::node* find(std::string_view key);

    [[noreturn]] void fail(std::string_view key, const toml::node& node, const std::string& message) const;

    template <typename T>
    const T& expect(std::string_view key, const toml::node& node, std::string_view what) const {
        const T* value = node.as<T>();
        if (value == nullptr) {
            fail(key, node, "expected " + std::string(what) + ", got " + std::string(describe(node.type())));
        }
        return *value;
    }

    void read(std::string_view key, bool& out);
    void read(std::string_view key, std::string& out);

    template <typename Integer>
    void read(std::string_view key, Integer& out, std::int64_t min, std::int64_t max) {
        const auto* node = find(key);
        if (node == nullptr) return;
        const std::int64_t value = expect<toml::value<std::int64_t>>(key, *node, "an integer").get();
        if (value < min || value > max) {
            fail(key, *node, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                                 ", got " + std::to_string(value));
        }
        out = static_cast<Integer>(value);
    }

    template <typename Rep, typename Period>
    void read(std::string_view key, std::chrono::duration<Rep, Period>& out, std::int64_t min, std::int64_t max) {
        Rep count = out.count();
        read(key, count, min, max);
        out = std::chrono::duration<Rep, Period>(count);
    }

    void read_path(std::string_view key, std::filesystem::path& out);
    void read_paths(std::string_view key, std::vector<std::filesystem::path>& out);
    void read_strings(std::string_view key, std::vector<std::string>& out);

    // Reads a string that must be one of `choices`' keys, storing the key's value.
    template <typename Value>
    void read_choice(std::string_view key, Value& out, const std::map<std::string, Value, std::less<>>& choices) {
        const auto* node = find(key);
        if (node == nullptr) return;
        const auto& text = expect<toml::value<std::string>>(key, *node, "a string").get();
        const auto it = choices.find(text);
        if (it == choices.end()) {
            std::string expected;
            for (const auto& [name, value] : choices) {
                expected += (expected.empty() ? "\"" : ", \"") + name + "\"";
            }
            fail(key, *node, "unknown value \"" + text + "\"; expected one of " + expected);
        }
        out = it->second;
    }

    // A path value with ~ and $XDG_* expanded; it must be absolute.
    [[nodiscard]] std::filesystem::path to_path(std::string_view key, const toml::node& node) const;

    // Every key of the table must have been asked for.
    void reject_unknown_keys() const;

private:
    [[nodiscard]] std::string qualified(std::string_view key) const;

    const toml::table& table_;
    std::string name_;
    std::set<std::string, std::less<>> known_;
};

// The table under `key`, or nullptr when absent.
const toml::table* find_table(TableReader& parent, std::string_view key);

// The tables of an array of tables ([[output]], [[playlist]]), each handed to `read_entry`.
template <typename Entry, typename ReadEntry>
void read_table_array(TableReader& root, std::string_view key, std::vector<Entry>& out, ReadEntry read_entry) {
    const auto* node = root.find(key);
    if (node == nullptr) return;
    std::vector<Entry> entries;
    for (const auto& element : root.expect<toml::array>(key, *node, "an array of tables ([[" + std::string(key) + "]])")) {
        entries.push_back(read_entry(root.expect<toml::table>(key, element, "a table")));
    }
    out = std::move(entries);
}

}  // namespace vibed::config
