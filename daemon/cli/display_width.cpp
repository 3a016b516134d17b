#include "daemon/cli/display_width.hpp"

#include <locale.h>
#include <wchar.h>

#include <optional>

namespace vibed::daemon {
namespace {

// wcwidth answers for the calling thread's LC_CTYPE; the "C" locale a
// program starts in knows no non-ASCII width, so ask C.UTF-8 (always there
// in glibc) for this thread only, and put the thread's locale back.
class Utf8Ctype {
public:
    Utf8Ctype() : locale_(::newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr)) {
        if (locale_ != nullptr) previous_ = ::uselocale(locale_);
    }
    ~Utf8Ctype() {
        if (locale_ == nullptr) return;
        ::uselocale(previous_);
        ::freelocale(locale_);
    }
    Utf8Ctype(const Utf8Ctype&) = delete;
    Utf8Ctype& operator=(const Utf8Ctype&) = delete;

private:
    locale_t locale_;
    locale_t previous_ = LC_GLOBAL_LOCALE;
};

// The code point starting at text[pos], advancing pos; nullopt (pos + 1)
// for a byte that does not start a valid sequence.
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    const std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || pos + length > text.size()) {
        ++pos;
        return std::nullopt;
    }
    char32_t code = length == 1 ? lead : lead & (0x7F >> length);
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(pos + i) & 0xC0) != 0x80) {
            ++pos;
            return std::nullopt;
        }
        code = (code << 6) | (byte(pos + i) & 0x3F);
    }
    pos += length;
    return code;
}

}  // namespace

std::size_t display_width(std::string_view utf8) {
    const Utf8Ctype ctype;
    std::size_t columns = 0;
    for (std::size_t pos = 0; pos < utf8.size();) {
        const auto code = next_code_point(utf8, pos);
        const int width = code ? ::wcwidth(static_cast<wchar_t>(*code)) : 1;
        columns += width < 0 ? 1 : static_cast<std::size_t>(width);
    }
    return columns;
}

std::string pad_right(std::string text, std::size_t width) {
    const std::size_t used = display_width(text);
    if (used < width) text.append(width - used, ' ');
    return text;
}

std::string pad_left(const std::string& text, std::size_t width) {
    const std::size_t used = display_width(text);
    return used >= width ? text : std::string(width - used, ' ') + text;
}

std::string cut_to_width(const std::string& text, std::size_t width) {
    if (display_width(text) <= width) return text;
    const std::string ellipsis = "...";
    if (width < ellipsis.size()) return ellipsis.substr(0, width);
    const Utf8Ctype ctype;
    std::size_t columns = 0;
    std::size_t end = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        const auto code = next_code_point(text, pos);
        const int char_width = code ? ::wcwidth(static_cast<wchar_t>(*code)) : 1;
        columns += char_width < 0 ? 1 : static_cast<std::size_t>(char_width);
        if (columns > width - ellipsis.size()) break;
        end = pos;
    }
    return text.substr(0, end) + ellipsis;
}

}  // namespace vibed::daemon
