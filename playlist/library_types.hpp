#pragma once
// TEMPORARY: LibraryRow belongs to db/ (db/index.hpp, not written yet). It is
// defined here only until db/ offers it; then this header just includes db/'s.

#include <cstdint>
#include <string>

#include "core/model/attributes.hpp"
#include "core/tags/track_tags.hpp"
#include "db/sql_filter.hpp"

namespace vibed::db {

// One analysed track as the `library` view returns it.
struct LibraryRow {
    std::int64_t id = 0;
    std::string path;
    core::TrackTags tags;
    core::Attributes attributes;
};

}  // namespace vibed::db
