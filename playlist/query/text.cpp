#include "playlist/query/text.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

namespace vibed::playlist {
namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Decodes UTF-8 the way SQLite's sqlite3Utf8Read does, invalid input included,
// so that glob_matches() sees the same characters as SQLite's GLOB.
std::vector<std::uint32_t> decode_like_sqlite(std::string_view text) {
    std::vector<std::uint32_t> characters;
    characters.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        std::uint32_t c = static_cast<unsigned char>(text[i++]);
        if (c >= 0xC0) {
            const int leading_ones = std::countl_one(static_cast<std::uint8_t>(c));
            c &= 0xFFu >> (leading_ones + 1);
            while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) {
                c = (c << 6) + (static_cast<unsigned char>(text[i++]) & 0x3F);
            }
            if (c < 0x80 || (c & 0xFFFFF800u) == 0xD800 || (c & 0xFFFFFFFEu) == 0xFFFE) c = 0xFFFD;
        }
        characters.push_back(c);
    }
    return characters;
}

// One pattern position that consumes exactly one character of text.
struct GlobElement {
    enum class Kind { AnyRun, AnyOne, Literal, Set };

    explicit GlobElement(Kind element_kind, std::uint32_t literal_character = 0)
        : kind(element_kind), literal(literal_character) {}

    Kind kind;
    std::uint32_t literal;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;  // for Set, inclusive
    bool inverted = false;
    bool terminated = true;  // an unclosed `[` never matches, as in SQLite

    [[nodiscard]] bool matches(std::uint32_t c) const {
        switch (kind) {
            case Kind::AnyRun:
            case Kind::AnyOne: return true;
            case Kind::Literal: return c == literal;
            case Kind::Set: {
                if (!terminated) return false;
                const bool seen = std::any_of(ranges.begin(), ranges.end(),
                                              [c](const auto& range) { return c >= range.first && c <= range.second; });
                return seen != inverted;
            }
        }
        return false;
    }
};

// Parses `[...]` starting just after the `[`, mirroring SQLite's rules: a
// leading `^` inverts, a leading `]` is literal, `a-z` is a range unless the
// `-` is first or last.
GlobElement parse_set(const std::vector<std::uint32_t>& pattern, std::size_t& i) {
    GlobElement set(GlobElement::Kind::Set);
    auto next = [&]() -> std::uint32_t { return i < pattern.size() ? pattern[i++] : 0; };
    std::uint32_t c = next();
    if (c == '^') {
        set.inverted = true;
        c = next();
    }
    if (c == ']') {
        set.ranges.emplace_back(']', ']');
        c = next();
    }
    std::uint32_t prior = 0;
    while (c != 0 && c != ']') {
        const bool range_follows = c == '-' && prior > 0 && i < pattern.size() && pattern[i] != ']';
        if (range_follows) {
            const std::uint32_t upper = next();
            set.ranges.emplace_back(prior, upper);
            prior = 0;
        } else {
            set.ranges.emplace_back(c, c);
            prior = c;
        }
        c = next();
    }
    set.terminated = c == ']';
    return set;
}

std::vector<GlobElement> parse_glob(std::string_view pattern_text) {
    const std::vector<std::uint32_t> pattern = decode_like_sqlite(pattern_text);
    std::vector<GlobElement> elements;
    std::size_t i = 0;
    while (i < pattern.size()) {
        const std::uint32_t c = pattern[i++];
        if (c == '*') {
            elements.emplace_back(GlobElement::Kind::AnyRun);
        } else if (c == '?') {
            elements.emplace_back(GlobElement::Kind::AnyOne);
        } else if (c == '[') {
            elements.push_back(parse_set(pattern, i));
        } else {
            elements.emplace_back(GlobElement::Kind::Literal, c);
        }
    }
    return elements;
}

}  // namespace

std::size_t first_invalid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8_sequence_length(text, i);
        if (length == 0) return i;
        i += length;
    }
    return std::string_view::npos;
}

std::string printable_text(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string shown;
    shown.reserve(text.size());
    const auto escape = [&](std::string_view bytes) {
        for (const char c : bytes) {
            const auto byte = static_cast<unsigned char>(c);
            shown += {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xf]};
        }
    };
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length = utf8_sequence_length(text, i);
        const auto lead = static_cast<unsigned char>(text[i]);
        const bool c0_or_del = length == 1 && (lead < 0x20 || lead == 0x7f);
        const bool c1 = length == 2 && lead == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0;
        if (length == 0) {
            escape(text.substr(i, 1));
            ++i;
            continue;
        }
        if (c0_or_del || c1) {
            escape(text.substr(i, length));
        } else {
            shown.append(text.substr(i, length));
        }
        i += length;
    }
    return shown;
}

std::string utf8_or_escaped(std::string_view text) {
    return first_invalid_utf8(text) == std::string_view::npos ? std::string(text) : printable_text(text);
}

std::string ascii_lowercase(std::string_view text) {
    std::string lowered(text);
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), ascii_lower);
    return lowered;
}

bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
    return util::fold_case(haystack).find(util::fold_case(needle)) != std::string::npos;
}

bool glob_matches(std::string_view pattern_text, std::string_view text_bytes) {
    const std::vector<GlobElement> pattern = parse_glob(pattern_text);
    const std::vector<std::uint32_t> text = decode_like_sqlite(text_bytes);

    // Classic single-backtrack-point matching: on a mismatch, let the most
    // recent `*` swallow one more character and retry from there.
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t star_p = std::string_view::npos;
    std::size_t star_t = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p].kind == GlobElement::Kind::AnyRun) {
            star_p = p++;
            star_t = t;
        } else if (p < pattern.size() && pattern[p].matches(text[t])) {
            ++p;
            ++t;
        } else if (star_p != std::string_view::npos) {
            p = star_p + 1;
            t = ++star_t;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p].kind == GlobElement::Kind::AnyRun) ++p;
    return p == pattern.size();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    if (a.size() > 64 || b.size() > 64) return 64;
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace vibed::playlist
