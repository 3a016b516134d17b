#pragma once
// Helpers shared by the db tests: a scratch folder and sample records.

#include <unistd.h>

#include <filesystem>
#include <string>

#include "db/index.hpp"

#include "tests/support/scratch_dir.hpp"

namespace vibed::db::testing {

// A fresh folder under the temp directory, removed with everything in it.
using vibed::test::ScratchDir;

// Attributes whose values all differ, derived from `seed`, so that a mix-up
// of columns shows.
inline core::Attributes sample_attributes(float seed) {
    core::Attributes attributes;
    for (std::size_t i = 0; i < core::kAttributeCount; ++i) {
        attributes.at(i) = seed / 2.0f + static_cast<float>(i) / 20.0f;
    }
    return attributes;
}

inline AnalysisRecord ok_record(const std::string& path, std::int64_t model_id, float seed, std::int64_t size = 100,
                                std::int64_t mtime_ns = 1000) {
    AnalysisRecord record;
    record.path = path;
    record.size = size;
    record.mtime_ns = mtime_ns;
    record.tags.title = "Title of " + path;
    record.tags.artist = "Artist";
    record.tags.duration_seconds = 180.5;
    record.attributes = sample_attributes(seed);
    record.model_id = model_id;
    return record;
}

}  // namespace vibed::db::testing
