#pragma once
// The map as one self-contained HTML page: the template daemon/map/map_page.html
// (compiled in) with the library's data in its one JSON island. Nothing is
// fetched, so it works from file:// and offline.
//
// The data is columnar and quantised so 100,000 tracks stay a few MB:
// valence and arousal as 16-bit integers, mood probabilities and reasons as
// bytes, all base64; artists once each, referred to by number
// (docs/performance.md has the size).
//
// Tags are hostile input: every string goes through JSON with `<`, `>`, `&`
// and control characters as \u escapes and invalid UTF-8 replaced, in a
// <script type="application/json"> island read with JSON.parse, so no tag can
// end the element or run as code; the page shows them with textContent only.

#include <string>
#include <string_view>

#include "daemon/map/map_data.hpp"

namespace vibed::daemon {

std::string render_map_page(const LibraryMap& map);

// JSON text that is safe inside an HTML <script> element (see above).
std::string json_for_script(const std::string& dumped_json);

// The compiled-in template, for tests.
std::string_view map_page_template();

}  // namespace vibed::daemon

namespace vibed::daemon {

struct MapWriteReport {
    std::size_t tracks = 0;         // on the map
    std::size_t without_moods = 0;  // analysed, moods not computed yet
    bool changed = false;           // false: the file already held this page
    std::vector<std::string> problems;
};

// Collects the map and writes it to `file` atomically
// (util::write_file_atomically), only when its content changes,
// creating its folder when needed.
// Throws std::runtime_error naming the file when it cannot be written.
MapWriteReport write_map_file(db::Index& index, std::int64_t model_id, const config::Config& config,
                              const std::filesystem::path& draws_file, const std::filesystem::path& file);

}  // namespace vibed::daemon
