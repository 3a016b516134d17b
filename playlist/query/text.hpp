#pragma once
// Small text helpers shared by the query language, the M3U writer and what
// vibed and vibectl show people. Keywords and field names
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

// `text` made safe to show on one line of a terminal, a log or an M3U file:
// control characters (C0 such as LF, CR, ESC and TAB; DEL; the C1 range
// U+0080-U+009F, where U+009B and U+009D start CSI and OSC sequences) and
// bytes that are not UTF-8 become \xHH, one per byte, so a tag or a file
// name can neither forge a line nor send the terminal a command (clear the
// screen, set the title, write the clipboard). Everything else is kept.
std::string printable_text(std::string_view text);

// `text` itself when it is well-formed UTF-8, else printable_text(text):
// for JSON, which holds only UTF-8, and file names that are bytes (a Latin-1
// rip, a Samba share).
std::string utf8_or_escaped(std::string_view text);

// For keywords, field names and file names, where ASCII is the point.
std::string ascii_lowercase(std::string_view text);
bool equals_ignoring_ascii_case(std::string_view a, std::string_view b);

// Whether `haystack` contains `needle`, both folded by util::fold_case(): the
// in-memory twin of SQL's instr(vibed_fold(haystack), vibed_fold(needle)) > 0.
bool contains_ignoring_case(std::string_view haystack, std::string_view needle);

// Levenshtein distance, for "did you mean": names are short, so the
// quadratic table is tiny; 64 for anything longer than 64 bytes.
std::size_t edit_distance(std::string_view a, std::string_view b);

// SQLite's GLOB: `*` any run, `?` one character, `[abc]`, `[a-z]`, `[^x]`;
// case-sensitive; characters are UTF-8 code points. Runs in O(|pattern| *
// |text|) time (no exponential backtracking).
bool glob_matches(std::string_view pattern, std::string_view text);

}  // namespace vibed::playlist
