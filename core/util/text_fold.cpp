#include "core/util/text_fold.hpp"

#include <locale.h>
#include <wctype.h>

namespace vibed::util {
namespace {

// The Unicode case tables of glibc's "C.UTF-8" locale, loaded once per
// process. towlower_l() reads them without touching the global or the
// thread's locale, so folding is thread-safe and independent of LANG.
class UnicodeCaseTables {
public:
    UnicodeCaseTables() : locale_(newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr))) {}
    ~UnicodeCaseTables() {
        if (locale_ != static_cast<locale_t>(nullptr)) freelocale(locale_);
    }
    UnicodeCaseTables(const UnicodeCaseTables&) = delete;
    UnicodeCaseTables& operator=(const UnicodeCaseTables&) = delete;

    [[nodiscard]] char32_t lower(char32_t c) const {
        // Without the locale (a C library built without C.UTF-8) only ASCII
        // letters fold. Matching then degrades to what SQLite's lower() does,
        // and SQL and in-memory matching still agree since both come here.
        if (locale_ == static_cast<locale_t>(nullptr)) return c >= U'A' && c <= U'Z' ? c - U'A' + U'a' : c;
        return static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), locale_));
    }

private:
    locale_t locale_;
};

const UnicodeCaseTables& case_tables() {
    static const UnicodeCaseTables tables;
    return tables;
}

// The code point of one well-formed sequence (see utf8_sequence_length()).
char32_t decode(std::string_view sequence) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(sequence[k]); };
    if (sequence.size() == 1) return byte(0);
    // The lead byte carries 7 - length payload bits, every continuation byte 6.
    char32_t code_point = byte(0) & (0x7Fu >> sequence.size());
    for (std::size_t k = 1; k < sequence.size(); ++k) code_point = (code_point << 6) | (byte(k) & 0x3Fu);
    return code_point;
}

void append_utf8(std::string& out, char32_t c) {
    const auto put = [&out](char32_t bits) { out += static_cast<char>(bits); };
    if (c < 0x80) {
        put(c);
    } else if (c < 0x800) {
        put(0xC0 | (c >> 6));
        put(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        put(0xE0 | (c >> 12));
        put(0x80 | ((c >> 6) & 0x3F));
        put(0x80 | (c & 0x3F));
    } else {
        put(0xF0 | (c >> 18));
        put(0x80 | ((c >> 12) & 0x3F));
        put(0x80 | ((c >> 6) & 0x3F));
        put(0x80 | (c & 0x3F));
    }
}

}  // namespace

std::string fold_case(std::string_view utf8) {
    const UnicodeCaseTables& tables = case_tables();
    std::string folded;
    folded.reserve(utf8.size());
    for (std::size_t i = 0; i < utf8.size();) {
        const std::size_t length = utf8_sequence_length(utf8, i);
        if (length == 0) {
            folded += utf8[i++];  // not UTF-8: keep the byte as it is
            continue;
        }
        append_utf8(folded, tables.lower(decode(utf8.substr(i, length))));
        i += length;
    }
    return folded;
}

std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) second_min = 0xA0;  // overlong
        if (lead == 0xED) second_max = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) second_min = 0x90;  // overlong
        if (lead == 0xF4) second_max = 0x8F;  // past U+10FFFF
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    if (byte(i + 1) < second_min || byte(i + 1) > second_max) return 0;
    for (std::size_t k = i + 2; k < i + length; ++k) {
        if ((byte(k) & 0xC0) != 0x80) return 0;
    }
    return length;
}

}  // namespace vibed::util
