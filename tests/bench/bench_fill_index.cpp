// bench_fill_index: completes a big synthetic index without analysing every file.
//
//   bench_fill_index --database DB --model-sha256 SHA --files LIST
//
// The benchmark library (tests/bench/library_100k.sh) is made of hard links to
// a few real clips. vibed has analysed a sample of it for real, covering every
// clip; this tool gives every other file listed in LIST (one absolute path a
// line) the analysis of the sample file sharing its inode, with the file's own
// size and mtime (so vibed's rescan sees it as unchanged) and its own tags
// (title from the file name, album from its folder, one artist per 5 albums).
// Rows are written through db::Index like the daemon's writer does: pending
// first, then the results, 5,000 per transaction. Moods and similarity vectors
// are left for vibed to compute from the stored inputs at its next start.
// Not a test: it only prepares data for a benchmark.

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "db/index.hpp"

namespace {

namespace fs = std::filesystem;
using namespace vibed;

struct Options {
    fs::path database;
    std::string model_sha256;
    fs::path files;
};

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--database") options.database = argv[i + 1];
        else if (flag == "--model-sha256") options.model_sha256 = argv[i + 1];
        else if (flag == "--files") options.files = argv[i + 1];
        else throw std::runtime_error("unknown option " + flag);
    }
    if (options.database.empty() || options.model_sha256.empty() || options.files.empty()) {
        throw std::runtime_error("usage: bench_fill_index --database DB --model-sha256 SHA --files LIST");
    }
    return options;
}

using Inode = std::pair<dev_t, ino_t>;

struct stat stat_of(const fs::path& file) {
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0) throw std::runtime_error(file.string() + ": cannot stat");
    return info;
}

// The digits of a name ("album01234" -> 1234), 0 when it has none.
long number_in(const std::string& name) {
    const auto first = name.find_first_of("0123456789");
    return first == std::string::npos ? 0 : std::stol(name.substr(first));
}

}  // namespace

int main(int argc, char** argv) try {
    const Options options = parse(argc, argv);
    db::Index index = db::Index::open(options.database);
    const auto model_id = index.find_model(options.model_sha256);
    if (!model_id) throw std::runtime_error(options.database.string() + ": no model with sha256 " + options.model_sha256);

    // The analysed sample, by inode.
    std::map<Inode, db::TrackRecord> templates;
    for (auto& track : index.all_tracks(*model_id)) {
        if (track.status != db::TrackStatus::ok || !track.attributes || !track.features) continue;
        const struct stat info = stat_of(track.path);
        templates.emplace(Inode{info.st_dev, info.st_ino}, std::move(track));
    }
    if (templates.empty()) throw std::runtime_error(options.database.string() + ": no analysed track to copy from");

    std::ifstream list(options.files);
    if (!list) throw std::runtime_error(options.files.string() + ": cannot read");
    std::vector<db::FileVersion> pending;
    std::vector<db::AnalysisRecord> results;
    std::size_t written = 0;
    const auto flush = [&] {
        index.upsert_pending(pending);
        written += index.commit_results(results);
        pending.clear();
        results.clear();
    };
    for (std::string line; std::getline(list, line);) {
        if (line.empty()) continue;
        const fs::path file = line;
        const struct stat info = stat_of(file);
        const auto found = templates.find(Inode{info.st_dev, info.st_ino});
        if (found == templates.end()) throw std::runtime_error(file.string() + ": not a link to an analysed sample file");
        const db::TrackRecord& sample = found->second;
        db::AnalysisRecord record;
        record.path = file;
        record.size = info.st_size;
        record.mtime_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
        record.tags = sample.tags;
        record.tags.title = file.stem().string();
        record.tags.album = file.parent_path().filename().string();
        record.tags.artist = "Artist " + std::to_string(number_in(record.tags.album) / 5);
        record.attributes = sample.attributes;
        record.features = *sample.features;
        record.model_id = *model_id;
        pending.push_back({record.path, record.size, record.mtime_ns});
        results.push_back(std::move(record));
        if (results.size() == 5000) flush();
    }
    flush();
    std::printf("%zu rows written from %zu analysed sample files\n", written, templates.size());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_fill_index: %s\n", e.what());
    return 1;
}
