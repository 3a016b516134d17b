// The [[playlist]] tables: each one read over the default playlist of the
// same name (or a fresh definition), kinds and their keys checked, and the
// names and aliases kept unique, since they are how users pick a playlist.
#include <algorithm>
#include <cctype>
#include <climits>
#include <map>
#include <set>
#include <string>

#include "config/section_readers.hpp"
#include "config/table_reader.hpp"

namespace vibed::config {
namespace {

// "1h30m" -> 5400 s; nullopt when the text is not a duration.
std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    std::chrono::seconds total{0};
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::int64_t number = 0;
        const std::size_t digits_start = pos;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) {
            number = number * 10 + (text[pos++] - '0');
            if (number > 1'000'000) return std::nullopt;
        }
        if (pos == digits_start || pos == text.size()) return std::nullopt;
        switch (text[pos++]) {
            case 'h': total += std::chrono::hours(number); break;
            case 'm': total += std::chrono::minutes(number); break;
            case 's': total += std::chrono::seconds(number); break;
            default: return std::nullopt;
        }
    }
    if (total.count() == 0) return std::nullopt;
    return total;
}

PlaylistLimit parse_limit(TableReader& reader, const toml::node& node) {
    constexpr std::string_view kExpected = "expected a track count (50) or a duration (\"90m\", \"2h\", \"1h30m\")";
    if (const auto* count = node.as<std::int64_t>()) {
        if (count->get() < 1 || count->get() > INT_MAX) reader.fail("limit", node, "a track count must be at least 1");
        return {static_cast<int>(count->get()), std::nullopt};
    }
    const auto* text = node.as<std::string>();
    if (text == nullptr) reader.fail("limit", node, std::string(kExpected));
    const std::string& value = text->get();
    const bool all_digits = !value.empty() && value.size() <= 9 &&
                            std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    if (all_digits && std::stoi(value) > 0) return {std::stoi(value), std::nullopt};
    if (auto duration = parse_duration(value)) return {std::nullopt, duration};
    reader.fail("limit", node, "\"" + value + "\": " + std::string(kExpected));
}

void read_kind(TableReader& reader, PlaylistDefinition& playlist) {
    const auto* kind = reader.find("kind");
    if (kind == nullptr) return;
    const auto& text = reader.expect<toml::value<std::string>>("kind", *kind, "a string").get();
    if (text == "rule") {
        playlist.kind = PlaylistKind::rule;
    } else if (text == "radio") {
        playlist.kind = PlaylistKind::radio;
    } else if (text == "journey") {
        playlist.kind = PlaylistKind::journey;
    } else {
        reader.fail("kind", *kind, "unknown kind \"" + text + "\"; expected \"rule\", \"radio\" or \"journey\"");
    }
}

// The keys of the other kinds (seed; from, to), read where they belong and refused elsewhere.
void read_kind_keys(TableReader& reader, const toml::table& table, PlaylistDefinition& playlist,
                    std::string_view document) {
    const auto read_kind_key = [&](std::string_view key, PlaylistKind owner, std::string& value, SourceSpot& at) {
        const auto* node = reader.find(key);
        if (node == nullptr) {
            if (playlist.kind == owner && value.empty() && playlist.enabled) {
                fail_at(table.source(), "[[playlist]] \"" + playlist.name + "\" of kind \"" +
                                            std::string(to_string(owner)) + "\" needs " + std::string(key));
            }
            return;
        }
        if (playlist.kind != owner) {
            reader.fail(key, *node, std::string(key) + " is for playlists of kind \"" + std::string(to_string(owner)) + "\"");
        }
        reader.read(key, value);
        if (value.empty()) reader.fail(key, *node, "must not be empty");
        at = spot_of(*node, value, document);
    };
    read_kind_key("seed", PlaylistKind::radio, playlist.seed, playlist.seed_at);
    read_kind_key("from", PlaylistKind::journey, playlist.from, playlist.from_at);
    read_kind_key("to", PlaylistKind::journey, playlist.to, playlist.to_at);
}

// sort and shuffle: a rule playlist's own; radios and journeys choose their order.
void read_order_keys(TableReader& reader, PlaylistDefinition& playlist, std::string_view document) {
    if (playlist.kind != PlaylistKind::rule) {
        for (const std::string_view key : {"sort", "shuffle"}) {
            if (const auto* node = reader.find(key)) {
                reader.fail(key, *node, "a " + std::string(to_string(playlist.kind)) + " chooses its own order; " +
                                            std::string(key) + " is for rule playlists");
            }
        }
    }
    if (const auto* sort = reader.find("sort")) {
        playlist.sort = reader.expect<toml::value<std::string>>("sort", *sort, "a string").get();
        playlist.sort_at = spot_of(*sort, *playlist.sort, document);
    }
}

// One [[playlist]] table read over `base`: a fresh definition, or the
// default playlist of the same name whose keys the table changes.
PlaylistDefinition read_playlist(const toml::table& table, PlaylistDefinition base, std::string_view document) {
    TableReader reader(table, "playlist");
    PlaylistDefinition playlist = std::move(base);
    const bool overrides_default = playlist.from_defaults;
    playlist.from_defaults = table.source().path && *table.source().path == kBuiltInSourceName;
    if (reader.find("name") == nullptr) fail_at(table.source(), "[[playlist]] needs a name");
    reader.read("name", playlist.name);
    if (slug(playlist.name).empty()) {
        reader.fail("name", *reader.find("name"), "\"" + playlist.name + "\" needs at least one letter or digit");
    }
    reader.read("enabled", playlist.enabled);
    read_kind(reader, playlist);
    if (playlist.enabled && !overrides_default && playlist.kind == PlaylistKind::rule && reader.find("query") == nullptr) {
        fail_at(table.source(), "[[playlist]] \"" + playlist.name + "\" needs a query");
    }
    read_kind_keys(reader, table, playlist, document);
    reader.read_strings("aliases", playlist.aliases);
    reader.read("description", playlist.description);
    if (const auto* query = reader.find("query")) {
        reader.read("query", playlist.query);
        if (playlist.query.empty()) reader.fail("query", *query, "must not be empty");
        playlist.query_at = spot_of(*query, playlist.query, document);
    }
    read_order_keys(reader, playlist, document);
    if (const auto* limit = reader.find("limit")) playlist.limit = parse_limit(reader, *limit);
    reader.read("shuffle", playlist.shuffle);
    reader.read("artist_spread", playlist.artist_spread);
    reader.reject_unknown_keys();
    return playlist;
}

// The names and aliases of the playlists so far, by slug: how users pick a
// playlist, so no two may share one (compared by slug, thus ignoring case).
class LookupKeys {
public:
    void add(const PlaylistDefinition& playlist) {
        for (const auto& key : keys_of(playlist)) owner_by_slug_.emplace(slug(key), playlist.name);
    }

    void remove(const PlaylistDefinition& playlist) {
        for (const auto& key : keys_of(playlist)) owner_by_slug_.erase(slug(key));
    }

    // Adds the keys of a playlist read from `table`, failing at the clashing one.
    void add_checked(const PlaylistDefinition& playlist, const toml::table& table) {
        std::set<std::string> own;
        for (const auto& key : keys_of(playlist)) {
            const std::string key_slug = slug(key);
            if (!own.insert(key_slug).second) continue;  // a playlist may repeat itself
            const auto it = owner_by_slug_.find(key_slug);
            if (it != owner_by_slug_.end()) {
                fail_at(node_of(table, key).source(),
                        "\"" + key + "\" of playlist \"" + playlist.name + "\" is already a name or alias of playlist \"" +
                            it->second + "\"");
            }
        }
        add(playlist);
    }

private:
    static std::vector<std::string> keys_of(const PlaylistDefinition& playlist) {
        std::vector<std::string> keys = {playlist.name};
        keys.insert(keys.end(), playlist.aliases.begin(), playlist.aliases.end());
        return keys;
    }

    // The node that wrote `key` (the name or one alias), else the table.
    static const toml::node& node_of(const toml::table& table, const std::string& key) {
        if (const auto* aliases = table.get_as<toml::array>("aliases")) {
            for (const auto& alias : *aliases) {
                if (alias.value_or(std::string()) == key) return alias;
            }
        }
        if (const auto* name = table.get("name")) return *name;
        return table;
    }

    std::map<std::string, std::string> owner_by_slug_;
};

}  // namespace

// The file's [[playlist]] tables merged into `playlists`: a table named like
// one of them (a default playlist) changes that one; `enabled = false` drops
// it; any other name is a new playlist, added after the others.
void read_playlists(const toml::array& tables, std::vector<PlaylistDefinition>& playlists, std::string_view document) {
    LookupKeys keys;
    for (const auto& playlist : playlists) keys.add(playlist);
    std::set<std::string> read_here;
    for (const auto& element : tables) {
        const auto* table = element.as_table();
        if (table == nullptr) fail_at(element.source(), "playlist: expected a table ([[playlist]])");
        const std::string name_slug = slug((*table)["name"].value_or(std::string()));
        if (!name_slug.empty() && !read_here.insert(name_slug).second) {
            fail_at(table->get("name")->source(), "a playlist named \"" + (*table)["name"].value_or(std::string()) +
                                                      "\" is already configured in this file");
        }
        const auto existing = std::find_if(playlists.begin(), playlists.end(),
                                           [&](const PlaylistDefinition& p) { return slug(p.name) == name_slug; });
        PlaylistDefinition base;
        if (existing != playlists.end()) {
            base = *existing;
            keys.remove(*existing);
        }
        PlaylistDefinition playlist = read_playlist(*table, std::move(base), document);
        keys.add_checked(playlist, *table);
        if (existing != playlists.end()) {
            *existing = std::move(playlist);
        } else {
            playlists.push_back(std::move(playlist));
        }
    }
}
}  // namespace vibed::config
