#pragma once
// Small text helpers shared by the query language. "Case-insensitive" means
// ASCII-only folding throughout, exactly like SQLite's lower() without ICU,
// so in-memory matching and SQL agree.

#include <cstddef>
#include <string>
#include <string_view>

namespace vibed::playlist {

// Length of the well-formed UTF-8 sequence starting at text[i] (no overlong
// forms, surrogates or code points past U+10FFFF), or 0 if there is none.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// Offset of the first byte that is not part of well-formed UTF-8, or npos.
std::size_t first_invalid_utf8(std::string_view text);

std::string ascii_lowercase(std::string_view text);
bool equals_ignoring_ascii_case(std::string_view a, std::string_view b);
bool contains_ignoring_ascii_case(std::string_view haystack, std::string_view needle);

// SQLite's GLOB: `*` any run, `?` one character, `[abc]`, `[a-z]`, `[^x]`;
// case-sensitive; characters are UTF-8 code points. Runs in O(|pattern| *
// |text|) time (no exponential backtracking).
bool glob_matches(std::string_view pattern, std::string_view text);

}  // namespace vibed::playlist
