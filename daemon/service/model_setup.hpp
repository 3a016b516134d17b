#pragma once
// The analysis setup a configuration asks for, apart from the daemon that
// runs it: which model and analyzer, whether a new configuration needs a new
// pipeline, and the models derived from the attributes (moods, similarity)
// registered in the index and brought up to date without decoding audio.
// Used at start-up and, off the event loop, to prepare a reload.

#include <cstdint>
#include <memory>

#include "config/config.hpp"
#include "core/analysis/track_analyzer.hpp"
#include "daemon/app/model_selection.hpp"
#include "daemon/service/index_writer.hpp"

namespace vibed::daemon {

// The model and analyzer a configuration asks for.
struct LoadedModel {
    ModelSelection selection;
    std::shared_ptr<const core::TrackAnalyzer> analyzer;
};

// Throws when the model cannot be found or read. `load_network`: load
// LibTorch and the network now, to prove the file is a usable model (a
// reload checks before swapping); otherwise the first file to analyse loads
// it, so a start whose rescan finds nothing new never pays for it.
LoadedModel load_model(const config::Config& config, bool load_network);

// Everything the analysis pipeline is built from: a change to any of these
// means a new analyzer and new workers.
bool pipeline_differs(const config::Config& a, const config::Config& b);

// The ids of the analyzer's mood and similarity models in the index (0: off).
struct DerivedModelIds {
    std::int64_t mood = 0;
    std::int64_t similarity = 0;
};
DerivedModelIds register_derived_models(IndexWriter& writer, const core::TrackAnalyzer& analyzer);

// Tracks analysed before this mood model (another one, or none: an index from
// before moods existed) get their moods from the stored attributes and
// features, without decoding anything (for the writer's analysis model). Errors are logged: tracks keep their
// previous moods.
void refresh_moods(IndexWriter& writer, const core::TrackAnalyzer& analyzer);

// The same for similarity vectors (a new similarity model, or an index from
// before vectors existed).
void refresh_vectors(IndexWriter& writer, const core::TrackAnalyzer& analyzer, std::int64_t similarity_model_id);

}  // namespace vibed::daemon
