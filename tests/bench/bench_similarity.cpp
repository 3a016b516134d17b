// bench_similarity: neighbour search, radios and journeys on a synthetic index.
//
//   bench_similarity [--tracks N] [--dimensions K] [--repeat R] [--database FILE]
//
// Builds (or, when FILE exists, reuses) an index of N analysed tracks with
// random attributes, features, moods, tags (N/8 artists) and K-number vectors
// in clusters, in a real SQLite file, then times each step R times and prints
// the medians (milliseconds):
//   read vectors   Index::similarity_vectors: every vector in one statement
//   scan           playlist::nearest over them: the 20 nearest to one track
//   similar        daemon::similar_tracks, what `vibectl similar -n 20` does
//                  after opening the index: read + seed + scan + 20 rows
//   radio 40       daemon::build_radio with 40 tracks, every track a candidate
//   ramp 12        daemon::build_journey, calm to energetic, 12 tracks
// with wall-clock and CPU time side by side.
// Not a test: nothing here asserts a speed (docs/performance.md has the numbers).

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "daemon/app/similarity_search.hpp"
#include "db/index.hpp"
#include "playlist/query/parser.hpp"
#include "playlist/similarity/neighbours.hpp"

namespace {

namespace fs = std::filesystem;
using namespace vibed;

struct Options {
    std::size_t tracks = 100'000;
    std::size_t dimensions = 16;
    int repeat = 21;
    fs::path database;
};

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--tracks") options.tracks = std::stoul(argv[i + 1]);
        else if (flag == "--dimensions") options.dimensions = std::stoul(argv[i + 1]);
        else if (flag == "--repeat") options.repeat = std::stoi(argv[i + 1]);
        else if (flag == "--database") options.database = argv[i + 1];
        else throw std::runtime_error("unknown option " + flag);
    }
    if (options.database.empty()) {
        options.database = fs::temp_directory_path() / ("vibed-bench-similarity-" + std::to_string(options.tracks) +
                                                         "x" + std::to_string(options.dimensions) + ".db");
    }
    return options;
}

void fill(db::Index& index, const Options& options, std::int64_t model_id, std::int64_t similarity_model_id,
          std::int64_t mood_model_id) {
    std::mt19937 random(42);
    std::uniform_real_distribution<float> unit(0, 1);
    std::normal_distribution<float> normal;
    // 64 clusters, as real libraries have genres.
    std::vector<std::vector<float>> centres(64, std::vector<float>(options.dimensions));
    for (auto& centre : centres) for (auto& x : centre) x = 2 * normal(random);
    std::vector<db::AnalysisRecord> batch;
    std::vector<db::FileVersion> pending;
    for (std::size_t i = 0; i < options.tracks; ++i) {
        db::AnalysisRecord record;
        record.path = "/music/artist-" + std::to_string(i % (options.tracks / 8 + 1)) + "/track-" + std::to_string(i) + ".flac";
        record.size = 1;
        record.mtime_ns = 1;
        record.tags.artist = "Artist " + std::to_string(i % (options.tracks / 8 + 1));
        record.tags.title = "Track " + std::to_string(i);
        record.tags.duration_seconds = 120 + 240 * unit(random);
        core::Attributes attributes;
        for (std::size_t a = 0; a < core::kAttributeCount; ++a) attributes.at(a) = unit(random);
        record.attributes = attributes;
        record.features.bpm = 60 + 120 * unit(random);
        core::Moods moods;
        moods.valence = unit(random);
        moods.arousal = unit(random);
        record.moods = moods;
        const auto& centre = centres[i % centres.size()];
        std::vector<float> vector(options.dimensions);
        for (std::size_t d = 0; d < vector.size(); ++d) vector[d] = centre[d] + normal(random);
        record.vector = vector;
        record.model_id = model_id;
        record.mood_model_id = mood_model_id;
        record.similarity_model_id = similarity_model_id;
        pending.push_back({record.path, 1, 1});
        batch.push_back(std::move(record));
        if (batch.size() == 5000 || i + 1 == options.tracks) {
            index.upsert_pending(pending);
            index.commit_results(batch);
            batch.clear();
            pending.clear();
        }
    }
}

double cpu_ms() {
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

// "wall  cpu": the medians of `repeat` runs, milliseconds. Everything runs on
// this one thread, so CPU time is what it costs whatever else loads the machine.
std::string median_ms(int repeat, const std::function<void()>& work) {
    std::vector<double> wall;
    std::vector<double> cpu;
    for (int r = 0; r < repeat; ++r) {
        const auto start = std::chrono::steady_clock::now();
        const double cpu_start = cpu_ms();
        work();
        cpu.push_back(cpu_ms() - cpu_start);
        wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    char text[64];
    std::snprintf(text, sizeof text, "%8.2f %8.2f", wall[wall.size() / 2], cpu[cpu.size() / 2]);
    return text;
}

}  // namespace

int main(int argc, char** argv) try {
    const Options options = parse(argc, argv);
    const bool reuse = fs::exists(options.database);
    db::Index writer = db::Index::open(options.database);
    const std::int64_t model_id = writer.ensure_model("bench", "bench-model");
    const std::int64_t mood_model_id = writer.ensure_model("bench-moods", "bench-moods");
    const std::int64_t similarity_model_id = writer.ensure_model("bench-space", "bench-space");
    if (!reuse) {
        const auto start = std::chrono::steady_clock::now();
        fill(writer, options, model_id, similarity_model_id, mood_model_id);
        std::printf("built %s: %zu tracks, %zu-number vectors, in %.1f s\n", options.database.c_str(), options.tracks,
                    options.dimensions, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    db::Index index = db::Index::open_readonly(options.database);
    const daemon::SimilaritySpace space{model_id, similarity_model_id, "bench-space", "bench-space"};
    const core::VectorSet vectors = index.similarity_vectors(model_id, similarity_model_id);
    std::printf("%zu vectors of %zu numbers; medians of %d runs, ms\n                    wall      cpu\n",
                vectors.size(), vectors.dimensions, options.repeat);
    const auto seed_path = index.library_rows(model_id, std::vector<std::int64_t>{vectors.track_ids[vectors.size() / 2]})
                               .front()
                               .path;
    std::printf("  read vectors  %s\n", median_ms(options.repeat, [&] {
                    (void)index.similarity_vectors(model_id, similarity_model_id);
                }).c_str());
    std::printf("  scan          %s\n", median_ms(options.repeat, [&] {
                    (void)playlist::nearest(vectors, vectors.vector(vectors.size() / 2), 21);
                }).c_str());
    std::printf("  similar       %s\n", median_ms(options.repeat, [&] {
                    (void)daemon::similar_tracks(index, space, seed_path, 20);
                }).c_str());
    const int slow_repeat = std::max(3, options.repeat / 4);
    daemon::RadioRequest radio;
    radio.seeds = {seed_path};
    radio.options.limit = playlist::parse_limit("40");
    std::printf("  radio 40      %s   (%d runs)\n", median_ms(slow_repeat, [&] {
                    (void)daemon::build_radio(index, space, radio);
                }).c_str(), slow_repeat);
    daemon::JourneyRequest ramp;
    ramp.from_mood = "calm";
    ramp.to_mood = "energetic";
    std::printf("  ramp 12       %s   (%d runs)\n", median_ms(slow_repeat, [&] {
                    (void)daemon::build_journey(index, space, ramp);
                }).c_str(), slow_repeat);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_similarity: %s\n", e.what());
    return 1;
}
