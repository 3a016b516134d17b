#pragma once
// Small text helpers shared by the query language. Keywords and field names
// ignore ASCII case only; tag text ignores Unicode case through
// util::fold_case(), the same function SQL calls as vibed_fold(), so in-memory
// matching and SQL agree.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/util/text_fold.hpp"

namespace vibed::playlist {

using util::utf8_sequence_length;

// Offset of the first byte that is not part of well-formed UTF-8, or npos.
std::size_t first_invalid_utf8(std::string_view text);

// For keywords, field names and file names, where ASCII is the point.
std::string ascii_lowercase(std::string_view text);
bool equals_ignoring_ascii_case(std::string_view a, std::string_view b);

// Whether `haystack` contains `needle`, both folded by util::fold_case(): the
// in-memory twin of SQL's instr(vibed_fold(haystack), vibed_fold(needle)) > 0.
bool contains_ignoring_case(std::string_view haystack, std::string_view needle);

// SQLite's GLOB: `*` any run, `?` one character, `[abc]`, `[a-z]`, `[^x]`;
// case-sensitive; characters are UTF-8 code points. Runs in O(|pattern| *
// |text|) time (no exponential backtracking).
bool glob_matches(std::string_view pattern, std::string_view text);

}  // namespace vibed::playlist
