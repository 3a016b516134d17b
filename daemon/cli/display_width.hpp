#pragma once
// Terminal columns of UTF-8 text, for vibectl's aligned tables: 'é' takes
// one column, '日' two, a combining accent none (wcwidth under C.UTF-8,
// whatever the user's locale).

#include <cstddef>
#include <string>
#include <string_view>

namespace vibed::daemon {

// Bytes that are not valid UTF-8, and characters wcwidth calls unprintable,
// count one column each (they are printed as they are).
std::size_t display_width(std::string_view utf8);

// `text` with spaces after it (pad_right) or before it (pad_left) up to
// `width` columns; unchanged when it is already that wide.
std::string pad_right(std::string text, std::size_t width);
std::string pad_left(const std::string& text, std::size_t width);

// `text` cut to at most `width` columns, ending in "..." when cut (a table
// row that must not wrap). Cuts between characters, never inside one.
std::string cut_to_width(const std::string& text, std::size_t width);

}  // namespace vibed::daemon
