#pragma once
// The whole pipeline for one file: tags, decoding, log-mel, model, attributes,
// and the interpretable musical features measured in the same decoding pass.

#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/analysis/front_end.hpp"
#include "core/features/log_mel.hpp"
#include "core/features/musical_features.hpp"
#include "core/model/attribute_model.hpp"
#include "core/model/attributes.hpp"
#include "core/model/mood_model.hpp"
#include "core/model/similarity_model.hpp"
#include "core/tags/track_tags.hpp"

namespace vibed::core {

// "<file>: <reason>", one line, for any failure to analyse a file.
class AnalysisError : public std::runtime_error {
public:
    // `transient`: resource trouble (file descriptors, memory, I/O), not the
    // file's fault: the caller should retry later instead of recording it.
    explicit AnalysisError(const std::string& what, bool transient = false)
        : std::runtime_error(what), transient_(transient) {}
    [[nodiscard]] bool transient() const { return transient_; }

private:
    bool transient_;
};

struct AnalysisOptions {
    // Long-file policy. A track up to this long is analysed in one pass over its
    // whole log-mel, exactly as VibeNet does. A longer one (a DJ mix, an
    // audiobook) is analysed in consecutive segments of this length, each with
    // its own top-dB reference, and the logits are averaged weighted by segment
    // length: memory stays bounded by one segment whatever the file's length.
    double segment_seconds = 600;
    // Which samples the model sees (front_end.hpp): the model's own front end,
    // front_end_for_model(); VibeNet's (every sample) by default.
    FrontEnd front_end;
    // Moods from the attributes and features, when set (model/moods.json).
    std::shared_ptr<const MoodModel> mood_model;
    // The track's similarity vector, when set (model/similarity.json).
    std::shared_ptr<const SimilarityModel> similarity_model;
};

struct TrackAnalysis {
    TrackTags tags;
    Attributes attributes;
    MusicalFeatures features;
    std::optional<Moods> moods;  // with AnalysisOptions::mood_model
    std::optional<std::vector<float>> vector;  // with AnalysisOptions::similarity_model
    // The model's embedding (ModelOutput), length-weighted over segments;
    // empty when the model has none.
    std::vector<float> embedding;
    double audio_seconds = 0;     // the track's length
    double analysed_seconds = 0;  // of it decoded and analysed (less with excerpts)
    std::size_t segments = 0;  // model passes (1 for ordinary tracks)
    std::string decoder;  // the library that decoded it (AudioFormat::decoder)
};

// Stateless apart from its shared model: one instance serves every worker thread.
class TrackAnalyzer {
public:
    explicit TrackAnalyzer(std::shared_ptr<const AttributeModel> model, AnalysisOptions options = {});

    // Throws AnalysisError.
    [[nodiscard]] TrackAnalysis analyze(const std::filesystem::path& file) const;

    [[nodiscard]] const AttributeModel& model() const { return *model_; }
    // nullptr when moods are off.
    [[nodiscard]] const MoodModel* mood_model() const { return options_.mood_model.get(); }
    // nullptr when similarity vectors are off.
    [[nodiscard]] const SimilarityModel* similarity_model() const { return options_.similarity_model.get(); }

private:
    std::shared_ptr<const AttributeModel> model_;
    AnalysisOptions options_;
};

// The whole file's log-mel in one clip, as VibeNet computes it (no
// segmenting). For feature dumps and tools. Throws AnalysisError.
LogMel compute_file_log_mel(const std::filesystem::path& file);

// The musical features alone (decoding and the front end, no model): what
// analyze() stores in TrackAnalysis::features, for tests and tools. Throws
// AnalysisError.
MusicalFeatures compute_file_features(const std::filesystem::path& file);

}  // namespace vibed::core
