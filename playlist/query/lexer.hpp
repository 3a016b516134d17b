#pragma once
// Splits query text into tokens. Context-free: the parser decides what a word
// means (keyword, field name or bare text value).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vibed::playlist {

enum class TokenKind {
    Word,          // letters, digits, _ - . ' and any non-ASCII UTF-8, starting with a non-digit
    Number,        // 12, 0.75, .5, optionally with a time unit: 90m, 2h, 30s
    String,        // "..." or '...', escapes resolved
    LeftParen,
    RightParen,
    Comma,
    Colon,
    DotDot,
    Tilde,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Equal,
    NotEqual,
    End,
};

struct Token {
    TokenKind kind;
    std::string text;      // the source text; for String, the unescaped value
    std::size_t position;  // byte offset of the first character
    double number = 0;     // Number: the value before applying the unit
    char unit = 0;         // Number: 0, 's', 'm' or 'h'
};

// Longest string literal accepted; SQLite refuses GLOB patterns past 50,000
// bytes and no tag needs more.
inline constexpr std::size_t kMaxStringLiteral = 4096;

// Tokenises the whole query; the last token is always End.
// Throws QueryError on a character that cannot start a token, an unclosed
// quote, an unknown escape or an overlong string.
std::vector<Token> tokenize(std::string_view query);

// How a token is quoted in error messages: 'and', "Miles", end of query.
std::string describe(const Token& token);

}  // namespace vibed::playlist
