#include "daemon/map/map_page.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "core/model/mood_model.hpp"
#include "daemon/map/map_page_template.hpp"
#include "core/util/atomic_file.hpp"

namespace vibed::daemon {
namespace {

constexpr std::string_view kDataMarker = "/*VIBED_MAP_DATA*/null";
// The finest step `vibectl explain` tells apart.
constexpr double kReasonStep = core::kNegligibleContribution;

std::string base64(const std::vector<std::uint8_t>& bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string text;
    text.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::uint32_t chunk = (std::uint32_t{bytes[i]} << 16) |
                                    (i + 1 < bytes.size() ? std::uint32_t{bytes[i + 1]} << 8 : 0) |
                                    (i + 2 < bytes.size() ? std::uint32_t{bytes[i + 2]} : 0);
        text += kAlphabet[(chunk >> 18) & 63];
        text += kAlphabet[(chunk >> 12) & 63];
        text += i + 1 < bytes.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
        text += i + 2 < bytes.size() ? kAlphabet[chunk & 63] : '=';
    }
    return text;
}

// Little-endian, as the page's typed arrays read them.
void put_u16(std::vector<std::uint8_t>& out, std::uint32_t value) {
    out.push_back(static_cast<std::uint8_t>(value & 0xff));
    out.push_back(static_cast<std::uint8_t>((value >> 8) & 0xff));
}
void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
    put_u16(out, value & 0xffff);
    put_u16(out, value >> 16);
}

std::uint32_t quantise(double unit, double levels) {
    return static_cast<std::uint32_t>(std::lround(std::clamp(unit, 0.0, 1.0) * levels));
}

// Per track and reason, two bytes: the input's number (bit 7: the track's
// value is high; 0xff: no reason) and the contribution as a signed byte in
// steps of kReasonStep (0.05 log-odds), so ±6.35.
void put_reasons(std::vector<std::uint8_t>& out, const std::vector<MapReason>& reasons) {
    for (std::size_t i = 0; i < kMapReasons; ++i) {
        if (i >= reasons.size()) {
            out.push_back(0xff);
            out.push_back(0);
            continue;
        }
        out.push_back(static_cast<std::uint8_t>((reasons[i].input & 0x7f) | (reasons[i].high ? 0x80 : 0)));
        const long steps = std::clamp(std::lround(reasons[i].contribution / kReasonStep), -127L, 127L);
        out.push_back(static_cast<std::uint8_t>(static_cast<std::int8_t>(steps)));
    }
}

nlohmann::json track_columns(const LibraryMap& map) {
    std::vector<std::uint8_t> x, y, moods, reasons, artist_of;
    std::map<std::string, std::uint32_t> artist_numbers;
    nlohmann::json artists = nlohmann::json::array();
    nlohmann::json titles = nlohmann::json::array();
    for (const auto& track : map.tracks) {
        put_u16(x, quantise(track.moods.valence, 65535));
        put_u16(y, quantise(track.moods.arousal, 65535));
        for (const float p : track.moods.probabilities) moods.push_back(static_cast<std::uint8_t>(quantise(p, 255)));
        put_reasons(reasons, track.reasons);
        const auto [at, added] = artist_numbers.emplace(track.artist, static_cast<std::uint32_t>(artist_numbers.size()));
        if (added) artists.push_back(track.artist);
        put_u32(artist_of, at->second);
        titles.push_back(track.title);
    }
    return {{"valence", base64(x)}, {"arousal", base64(y)},   {"moods", base64(moods)}, {"reasons", base64(reasons)},
            {"artist", base64(artist_of)}, {"artists", std::move(artists)}, {"titles", std::move(titles)}};
}

nlohmann::json map_json(const LibraryMap& map) {
    if (map.inputs.size() > 0x7f) throw std::runtime_error("map: the mood model has more inputs than the page can name");
    nlohmann::json playlists = nlohmann::json::array();
    for (const auto& playlist : map.playlists) {
        std::vector<std::uint8_t> members;
        for (const auto index : playlist.tracks) put_u32(members, index);
        playlists.push_back({{"name", playlist.name}, {"tracks", base64(members)}});
    }
    nlohmann::json moods = nlohmann::json::array();
    for (const auto name : core::kMoodNames) moods.push_back(name);
    return {{"format", "vibed-map"},      {"version", 1},
            {"count", map.tracks.size()}, {"without_moods", map.without_moods},
            {"moods", std::move(moods)},  {"inputs", map.inputs},
            {"reason_step", kReasonStep},        {"reasons_per_track", kMapReasons},
            {"tracks", track_columns(map)}, {"playlists", std::move(playlists)}};
}

}  // namespace

std::string json_for_script(const std::string& dumped_json) {
    std::string safe;
    safe.reserve(dumped_json.size());
    for (const char c : dumped_json) {
        switch (c) {
            case '<': safe += "\\u003c"; break;
            case '>': safe += "\\u003e"; break;
            case '&': safe += "\\u0026"; break;
            default: safe += c;
        }
    }
    return safe;
}

std::string render_map_page(const LibraryMap& map) {
    // Control characters become \u escapes; invalid UTF-8 in a tag becomes
    // U+FFFD instead of an exception. Non-ASCII text stays UTF-8 (half the
    // size of \u escapes for 日本語): the page reads the island with
    // JSON.parse, where U+2028 is an ordinary character.
    const std::string data = json_for_script(map_json(map).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    std::string page(map_page_template());
    const auto at = page.find(kDataMarker);
    if (at == std::string::npos) throw std::logic_error("map_page.html lacks its data marker");
    page.replace(at, kDataMarker.size(), data);
    return page;
}

std::string_view map_page_template() { return generated::kMapPageHtml; }

MapWriteReport write_map_file(db::Index& index, std::int64_t model_id, const config::Config& config,
                              const std::filesystem::path& draws_file, const std::filesystem::path& file) {
    const LibraryMap map = collect_library_map(index, model_id, config, draws_file);
    MapWriteReport report{map.tracks.size(), map.without_moods, false, map.problems};
    const std::string page = render_map_page(map);
    if (util::read_file_if_exists(file) == page) return report;
    std::error_code error;
    std::filesystem::create_directories(file.parent_path(), error);  // as for playlists; writing says why it failed
    util::write_file_atomically(file, page);
    report.changed = true;
    return report;
}

}  // namespace vibed::daemon
