#include "daemon/cli/analyze_command.hpp"

#include <atomic>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/analysis/track_analyzer.hpp"
#include "core/model/model_locator.hpp"
#include "daemon/cli/attribute_table.hpp"
#include "daemon/cli/file_collector.hpp"
#include "daemon/cli/progress_bar.hpp"
#include "playlist/query/text.hpp"

namespace vibed::daemon {
namespace {

struct AnalyzeOptions {
    std::vector<std::string> inputs;
    bool recursive = false;
    std::string glob;
    std::string format = "table";
    int workers = 0;
    bool strict = false;
    bool quiet = false;
    bool features = false;
    bool embedding = false;
    std::string model = std::string(core::kDefaultModelName);
    double segment_seconds = core::AnalysisOptions{}.segment_seconds;
    std::string front_end;  // empty: the model's
};

int default_workers() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

// Analyses files on `workers` threads sharing one model; failures are printed
// as they happen. Returns one result slot per file (empty when it failed).
std::vector<std::optional<core::TrackAnalysis>> analyze_all(const std::vector<std::filesystem::path>& files,
                                                         const core::TrackAnalyzer& analyzer,
                                                         const AnalyzeOptions& options, bool& any_failed) {
    std::vector<std::optional<core::TrackAnalysis>> results(files.size());
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex report_mutex;
    ProgressBar progress(files.size(), !options.quiet);

    const auto work = [&] {
        for (std::size_t i = next++; i < files.size() && !stop; i = next++) {
            try {
                results[i] = analyzer.analyze(files[i]);
            } catch (const std::exception& e) {
                std::lock_guard lock(report_mutex);
                any_failed = true;
                if (options.strict) stop = true;
                if (!options.quiet) {
                    progress.clear();
                    std::fprintf(stderr, "error: %s\n", playlist::printable_text(e.what()).c_str());
                }
            }
            progress.advance();
        }
    };
    const int thread_count = std::min<int>(options.workers > 0 ? options.workers : default_workers(),
                                           static_cast<int>(std::max<std::size_t>(1, files.size())));
    std::vector<std::jthread> threads;
    for (int t = 1; t < thread_count; ++t) threads.emplace_back(work);
    work();
    threads.clear();  // joins
    return results;
}

void run_analyze(const AnalyzeOptions& options, CliContext& context) {
    const OutputFormat format = parse_output_format(options.format);
    if (options.embedding && format == OutputFormat::table) {
        throw std::invalid_argument("--embedding needs -f csv or -f json (512 numbers per file)");
    }
    CollectOptions collect{options.recursive, std::nullopt};
    if (!options.glob.empty()) collect.glob = options.glob;
    const CollectedFiles collected = collect_files(options.inputs, collect);
    for (const auto& folder : collected.skipped_subfolders) {
        if (!options.quiet) {
            std::fprintf(stderr, "note: %s has sub-folders that were not looked into; -r includes them\n",
                         folder.c_str());
        }
    }
    if (collected.files.empty() && collected.errors.empty()) {
        std::fprintf(stderr, "error: no audio files to analyse%s\n",
                     collected.skipped_subfolders.empty() ? "" : " (they may be in sub-folders: use -r)");
        context.exit_code = 1;
        return;
    }
    bool any_failed = !collected.errors.empty();
    for (const auto& error : collected.errors) {
        if (!options.quiet) std::fprintf(stderr, "error: %s\n", playlist::printable_text(error).c_str());
    }
    if (any_failed && options.strict) {
        context.exit_code = 1;
        return;
    }

    const auto model_file = core::resolve_model(options.model);
    const auto model = core::AttributeModel::load(model_file);
    core::AnalysisOptions analysis;
    analysis.segment_seconds = options.segment_seconds;
    if (options.front_end.empty()) {
        analysis.front_end = core::front_end_for_model(model_file);
    } else if (std::isdigit(static_cast<unsigned char>(options.front_end.front())) != 0) {
        analysis.front_end = core::parse_excerpt_front_end(options.front_end);
    } else {
        analysis.front_end = core::front_end_named(options.front_end);
    }
    const core::TrackAnalyzer analyzer(model, analysis);
    const auto results = analyze_all(collected.files, analyzer, options, any_failed);
    context.exit_code = any_failed ? 1 : 0;
    if (any_failed && options.strict) return;

    std::vector<AttributeRow> rows;
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (results[i]) {
            rows.push_back({collected.files[i], results[i]->attributes, results[i]->features, results[i]->embedding});
        }
    }
    write_attribute_rows(std::cout, format, rows, {.features = options.features, .embedding = options.embedding});
}

void run_dump_mel(const std::filesystem::path& input, const std::filesystem::path& output, CliContext& context) {
    const core::LogMel mel = core::compute_file_log_mel(input);
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(mel.values.data()),
              static_cast<std::streamsize>(mel.values.size() * sizeof(float)));
    if (!out) throw std::runtime_error(output.string() + ": cannot write");
    std::cout << mel.frames << '\n';
    context.exit_code = 0;
}

}  // namespace

void add_analyze_command(CLI::App& app, CliContext& context) {
    auto options = std::make_shared<AnalyzeOptions>();
    auto* command = app.add_subcommand("analyze", "Predict the seven attributes of audio files (no daemon needed)");
    command->add_option("paths", options->inputs, "Audio files or folders")->required();
    command->add_flag("-r,--recursive", options->recursive, "Recurse into folders");
    command->add_option("--glob", options->glob, "Only files whose name matches this pattern, e.g. \"*.mp3\"");
    command->add_option("-f,--format", options->format, "Output format")
        ->check(CLI::IsMember({"table", "csv", "json"}));
    command->add_option("-j,--workers", options->workers, "Worker threads (0 = one per core)")
        ->check(CLI::NonNegativeNumber);
    command->add_flag("--strict", options->strict, "Stop at the first error");
    command->add_flag("-q,--quiet", options->quiet, "No progress bar and no error messages");
    command->add_flag("--features", options->features,
                      "Also print the musical features (bpm, loudness, key, ...; docs/features.md)");
    command->add_flag("--embedding", options->embedding,
                      "Also print the model's embedding (512 numbers for the student; -f csv or json)");
    command->add_option("--model", options->model, "Model name (student, vibenet) or path to a .pt file");
    // For measuring front ends against each other (docs/performance.md), not for users.
    command->add_option("--front-end", options->front_end, "Front end: vibenet, excerpts or COUNTxSECONDS (default: the model's)")
        ->group("");
    command->add_option("--segment-seconds", options->segment_seconds,
                        "Tracks longer than this are analysed in segments of this length")
        ->check(CLI::PositiveNumber);
    command->callback([options, &context] { run_analyze(*options, context); });
}

void add_dump_mel_command(CLI::App& app, CliContext& context) {
    auto input = std::make_shared<std::filesystem::path>();
    auto output = std::make_shared<std::filesystem::path>();
    auto* command = app.add_subcommand("dump-mel", "Write a file's log-mel features (float32, 128 x frames)");
    command->group("");  // a tool for building models, not for users: kept out of --help
    command->add_option("input", *input, "Audio file")->required();
    command->add_option("output", *output, "Output .f32 file")->required();
    command->callback([input, output, &context] { run_dump_mel(*input, *output, context); });
}

}  // namespace vibed::daemon
