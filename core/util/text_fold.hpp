#pragma once
// Unicode case folding for case-insensitive text matching. The index
// registers fold_case() with SQLite as the SQL function vibed_fold(), so a
// query evaluated in SQL and the same query evaluated in memory fold text
// with exactly the same function and always agree.

#include <cstddef>
#include <string>
#include <string_view>

namespace vibed::util {

// The SQL name under which every Connection offers fold_case():
// vibed_fold(text) returns the folded text, and NULL for NULL.
inline constexpr char kFoldCaseSqlFunction[] = "vibed_fold";

// Lower-cases every code point with the C library's Unicode tables (simple
// one-to-one mappings: "É" -> "é", "Σ" -> "σ", "Ж" -> "ж"). No full case
// folding ("ß" stays "ß", final "ς" stays "ς") and no accent stripping ("é"
// stays "é"). Bytes that are not well-formed UTF-8 pass through unchanged.
std::string fold_case(std::string_view utf8);

// Length of the well-formed UTF-8 sequence starting at text[i] (no overlong
// forms, surrogates or code points past U+10FFFF), or 0 if there is none.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

}  // namespace vibed::util
