#include "daemon/map/map_data.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "core/model/model_locator.hpp"
#include "core/model/mood_model.hpp"
#include "daemon/app/playlist_builder.hpp"

namespace vibed::daemon {
namespace {

// The leading reasons for the track's most likely mood, through the one
// explanation `vibectl explain` prints.
std::vector<MapReason> reasons_for(const core::MoodModel& model, const std::vector<std::string>& inputs,
                                   const core::LibraryRow& row) {
    std::vector<MapReason> reasons;
    if (!row.features || !row.moods) return reasons;
    const core::MoodInputValues values{row.attributes, *row.features};
    for (const auto& term : model.explain(values, row.moods->mood()).leading_terms(kMapReasons)) {
        const auto at = std::find(inputs.begin(), inputs.end(), term.input);
        if (at == inputs.end()) continue;
        reasons.push_back({static_cast<std::size_t>(at - inputs.begin()), term.standardised >= 0, term.contribution});
    }
    return reasons;
}

MapTrack map_track(const core::LibraryRow& row) {
    MapTrack track;
    track.id = row.id;
    track.artist = row.tags.artist;
    track.title = row.tags.title.empty() ? row.path.filename().string() : row.tags.title;
    track.moods = *row.moods;
    return track;
}

void add_playlists(db::Index& index, std::int64_t model_id, const config::Config& config,
                   const std::filesystem::path& draws_file, LibraryMap& map) {
    std::unordered_map<std::int64_t, std::uint32_t> position;
    for (std::uint32_t i = 0; i < map.tracks.size(); ++i) position.emplace(map.tracks[i].id, i);
    for (const auto& definition : config.playlist_definitions) {
        MapPlaylist playlist{definition.name, {}};
        try {
            const auto draw = read_draw(draws_file, config::slug(definition.name));
            for (const auto& row : build_playlist(index, model_id, config, definition, draw).tracks) {
                if (const auto it = position.find(row.id); it != position.end()) playlist.tracks.push_back(it->second);
            }
        } catch (const std::exception& e) {  // a bad rule or a missing similarity model: the others still show
            map.problems.push_back("map: playlist '" + definition.name + "' left out: " + e.what());
            continue;
        }
        std::sort(playlist.tracks.begin(), playlist.tracks.end());
        playlist.tracks.erase(std::unique(playlist.tracks.begin(), playlist.tracks.end()), playlist.tracks.end());
        map.playlists.push_back(std::move(playlist));
    }
}

}  // namespace

LibraryMap collect_library_map(db::Index& index, std::int64_t model_id, const config::Config& config,
                               const std::filesystem::path& draws_file) {
    LibraryMap map;
    std::optional<core::MoodModel> model;
    if (const auto file = core::resolve_mood_model(config.analysis.mood_model)) {
        model.emplace(core::MoodModel::load(*file));
        for (const auto name : model->input_names()) map.inputs.emplace_back(name);
    }
    for (const auto& row : index.select_library(model_id, {})) {
        if (!row.moods) {
            ++map.without_moods;
            continue;
        }
        MapTrack track = map_track(row);
        if (model) track.reasons = reasons_for(*model, map.inputs, row);
        map.tracks.push_back(std::move(track));
    }
    add_playlists(index, model_id, config, draws_file, map);
    return map;
}

}  // namespace vibed::daemon
