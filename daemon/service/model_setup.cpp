#include "daemon/service/model_setup.hpp"

#include <spdlog/spdlog.h>

#include "core/model/model_locator.hpp"
#include "core/util/counted.hpp"

namespace vibed::daemon {
namespace {

// Tracks whose moods are recomputed per transaction (a 100k index: 100 short ones).
constexpr std::size_t kMoodRefreshBatch = 1000;

core::AnalysisOptions analysis_options(const config::Config& config) {
    core::AnalysisOptions options;
    if (config.analysis.segment.count() > 0) {
        options.segment_seconds = static_cast<double>(config.analysis.segment.count());
    }
    if (const auto file = core::resolve_mood_model(config.analysis.mood_model)) {
        options.mood_model = std::make_shared<const core::MoodModel>(core::MoodModel::load(*file));
    }
    if (const auto file = core::resolve_similarity_model(config.analysis.similarity_model)) {
        options.similarity_model = std::make_shared<const core::SimilarityModel>(core::SimilarityModel::load(*file));
    }
    return options;
}

// The id of a mood or similarity model in the index; 0 when it is off.
template <typename Model>
std::int64_t register_derived_model(IndexWriter& writer, const Model* model) {
    return model ? writer.register_model(model->name(), model->sha256()) : 0;
}

// Recomputes, from stored attributes and features and without decoding
// anything, what a model derives for the tracks `stale` lists, a batch per
// transaction. Returns how many tracks were done.
template <typename Update, typename Stale, typename Compute, typename Store>
std::size_t recompute_stale(Stale stale, Compute compute, Store store) {
    std::size_t done = 0;
    for (;;) {
        const auto inputs = stale();
        if (inputs.empty()) return done;
        std::vector<Update> updates;
        for (const auto& track : inputs) updates.push_back({track.track_id, compute({track.attributes, track.features})});
        store(updates);
        done += updates.size();
    }
}

}  // namespace

bool pipeline_differs(const config::Config& a, const config::Config& b) {
    return a.library.paths != b.library.paths || a.library.exclude != b.library.exclude ||
           a.library.follow_symlinks != b.library.follow_symlinks || a.analysis.model.kind != b.analysis.model.kind ||
           a.analysis.model.file != b.analysis.model.file || a.analysis.workers != b.analysis.workers ||
           a.analysis.segment != b.analysis.segment || a.analysis.intra_op_threads != b.analysis.intra_op_threads ||
           a.analysis.mood_model != b.analysis.mood_model || a.analysis.similarity_model != b.analysis.similarity_model;
}

LoadedModel load_model(const config::Config& config, bool load_network) {
    LoadedModel loaded{select_model(config.analysis.model), nullptr};
    const core::ModelOptions model_options{static_cast<int>(config.analysis.intra_op_threads)};
    auto model = load_network ? core::AttributeModel::load(loaded.selection.file, model_options)
                              : core::AttributeModel::open(loaded.selection.file, model_options);
    core::AnalysisOptions options = analysis_options(config);
    options.front_end = core::front_end_for_model(loaded.selection.file);
    loaded.analyzer = std::make_shared<core::TrackAnalyzer>(model, options);
    return loaded;
}

void refresh_moods(IndexWriter& writer, const core::TrackAnalyzer& analyzer) {
    const core::MoodModel* mood_model = analyzer.mood_model();
    if (mood_model == nullptr) return;
    try {
        const std::int64_t mood_model_id = register_derived_model(writer, mood_model);
        const std::size_t refreshed = recompute_stale<db::MoodUpdate>(
            [&] { return writer.stale_moods(mood_model_id, kMoodRefreshBatch); },
            [&](const core::TrackInputValues& inputs) { return mood_model->predict(inputs); },
            [&](const std::vector<db::MoodUpdate>& updates) { writer.store_moods(mood_model_id, updates); });
        if (refreshed > 0) {
            spdlog::info("moods of {} recomputed with {} (no audio decoded)", util::counted(refreshed, "track"), mood_model->name());
        }
    } catch (const std::exception& e) {
        spdlog::error("moods not recomputed: {}; tracks keep their previous moods", e.what());
    }
}

void refresh_vectors(IndexWriter& writer, const core::TrackAnalyzer& analyzer, std::int64_t similarity_model_id) {
    const core::SimilarityModel* similarity_model = analyzer.similarity_model();
    if (similarity_model == nullptr) return;
    try {
        const std::size_t refreshed = recompute_stale<db::VectorUpdate>(
            [&] { return writer.stale_vectors(similarity_model_id, kMoodRefreshBatch); },
            [&](const core::TrackInputValues& inputs) { return similarity_model->embed(inputs); },
            [&](const std::vector<db::VectorUpdate>& updates) { writer.store_vectors(similarity_model_id, updates); });
        if (refreshed > 0) {
            spdlog::info("similarity vectors of {} computed with {} (no audio decoded)", util::counted(refreshed, "track"),
                         similarity_model->name());
        }
    } catch (const std::exception& e) {
        spdlog::error("similarity vectors not computed: {}; tracks keep their previous vectors", e.what());
    }
}

DerivedModelIds register_derived_models(IndexWriter& writer, const core::TrackAnalyzer& analyzer) {
    return DerivedModelIds{register_derived_model(writer, analyzer.mood_model()),
                           register_derived_model(writer, analyzer.similarity_model())};
}

}  // namespace vibed::daemon
