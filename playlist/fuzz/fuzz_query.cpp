// libFuzzer target: arbitrary bytes through the whole query front end.
// Beyond "no crash, no hang, no sanitizer report" it checks the invariants
// the rest of vibed relies on:
//  - every input either parses or raises a QueryError within the input;
//  - a parsed query prints to text that parses back to the same text;
//  - compiled SQL has exactly one parameter per placeholder;
//  - evaluate() runs on a row with tricky values.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "playlist/query/parser.hpp"
#include "playlist/query/query_error.hpp"
#include "playlist/query/sql_compiler.hpp"

namespace {

using namespace vibed::playlist;

void check(bool condition) {
    if (!condition) std::abort();
}

const vibed::core::LibraryRow& sample_row() {
    static const vibed::core::LibraryRow row = [] {
        vibed::core::LibraryRow r;
        r.path = "/music/Björk/[1] Jóga*?.flac";
        r.tags.artist = "Björk";
        r.tags.title = "Jóga";
        r.tags.genre = "Électro";
        r.tags.year = 1997;
        r.tags.duration_seconds = 305.5;
        r.attributes.energy = 0.5f;
        r.attributes.valence = 1.0f;
        return r;
    }();
    return row;
}

void check_round_trip(const std::string& printed) {
    try {
        check(to_string(parse_query(printed)) == printed);
    } catch (const QueryError&) {
        // Printing may only fail to read back by outgrowing the size limit
        // (escaping doubles quotes and backslashes).
        check(printed.size() > kMaxQueryBytes);
    }
}

void check_compiled(const Query& query) {
    try {
        const vibed::util::SqlFilter filter = compile(query);
        std::size_t placeholders = 0;
        for (const char c : filter.where_sql) placeholders += c == '?' ? 1 : 0;
        check(placeholders == filter.params.size());
    } catch (const QueryError&) {
        // Too large for SQLite: a clean refusal is fine.
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const Query query = parse_query(text);
        check_round_trip(to_string(query));
        check_compiled(query);
        (void)evaluate(query, sample_row());
    } catch (const QueryError& error) {
        check(error.position() <= text.size());
        check(!render_query_error(text, error).empty());
    }
    return 0;
}
