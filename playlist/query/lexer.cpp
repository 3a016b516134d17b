#include "playlist/query/lexer.hpp"

#include <charconv>

#include "playlist/query/query_error.hpp"

namespace vibed::playlist {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_non_ascii(char c) { return static_cast<unsigned char>(c) >= 0x80; }
bool is_word_start(char c) { return is_letter(c) || c == '_' || is_non_ascii(c); }
bool is_word_continuation(char c) {
    return is_word_start(c) || is_digit(c) || c == '-' || c == '.' || c == '\'';
}
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }

class Lexer {
public:
    explicit Lexer(std::string_view query) : query_(query) {}

    std::vector<Token> run() {
        std::vector<Token> tokens;
        while (true) {
            skip_spaces();
            if (at_end()) break;
            tokens.push_back(next_token());
        }
        tokens.push_back(Token{TokenKind::End, "", query_.size()});
        return tokens;
    }

private:
    [[nodiscard]] bool at_end() const { return pos_ >= query_.size(); }
    [[nodiscard]] char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < query_.size() ? query_[pos_ + ahead] : '\0';
    }

    void skip_spaces() {
        while (!at_end() && is_space(peek())) ++pos_;
    }

    Token symbol(TokenKind kind, std::size_t length) {
        Token token{kind, std::string(query_.substr(pos_, length)), pos_};
        pos_ += length;
        return token;
    }

    Token next_token() {
        const char c = peek();
        // A '-' before a digit starts a negative number (loudness > -9); inside
        // a word ("hip-hop") the word has already consumed it.
        if (is_digit(c) || (c == '.' && is_digit(peek(1))) || (c == '-' && is_digit(peek(1)))) {
            return number();
        }
        if (is_word_start(c)) return word();
        if (c == '"' || c == '\'') return string_literal();
        switch (c) {
            case '(': return symbol(TokenKind::LeftParen, 1);
            case ')': return symbol(TokenKind::RightParen, 1);
            case ',': return symbol(TokenKind::Comma, 1);
            case ':': return symbol(TokenKind::Colon, 1);
            case '~': return symbol(TokenKind::Tilde, 1);
            case '=': return symbol(TokenKind::Equal, 1);
            case '<': return peek(1) == '=' ? symbol(TokenKind::LessEqual, 2) : symbol(TokenKind::Less, 1);
            case '>': return peek(1) == '=' ? symbol(TokenKind::GreaterEqual, 2) : symbol(TokenKind::Greater, 1);
            case '!':
                if (peek(1) == '=') return symbol(TokenKind::NotEqual, 2);
                throw QueryError(pos_, "unexpected '!': did you mean '!=' or 'not'?");
            case '.':
                if (peek(1) == '.') return symbol(TokenKind::DotDot, 2);
                break;
            default: break;
        }
        if (is_control(c)) throw QueryError(pos_, "unexpected control character in query");
        throw QueryError(pos_, "unexpected character '" + std::string(1, c) + "'");
    }

    Token word() {
        const std::size_t start = pos_;
        while (!at_end() && is_word_continuation(peek())) ++pos_;
        return Token{TokenKind::Word, std::string(query_.substr(start, pos_ - start)), start};
    }

    Token number() {
        const std::size_t start = pos_;
        if (peek() == '-') ++pos_;
        while (is_digit(peek())) ++pos_;
        if (peek() == '.' && is_digit(peek(1))) {
            ++pos_;
            while (is_digit(peek())) ++pos_;
        }
        const std::string_view digits = query_.substr(start, pos_ - start);
        Token token{TokenKind::Number, std::string(digits), start};
        // `digits` is an optional '-', digits and at most one '.', so the only failure is a
        // number too large for a double (310 digits and more).
        const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), token.number);
        if (parsed.ec != std::errc{}) throw QueryError(start, "number too large: " + std::string(digits.substr(0, 40)) +
                                                                  (digits.size() > 40 ? "..." : ""));

        const char next = peek();
        const bool unit_ends_here = !is_word_start(peek(1)) && !is_digit(peek(1));  // "2m..5m" is fine
        if ((next == 's' || next == 'm' || next == 'h' || next == 'd' || next == 'w') && unit_ends_here) {
            token.unit = next;
            token.text += next;
            ++pos_;
        } else if (is_word_continuation(next) && next != '.') {
            throw QueryError(pos_, "unexpected '" + std::string(1, next) +
                                       "' after a number (durations take the units s, m, h, d or w)");
        }
        return token;
    }

    Token string_literal() {
        const std::size_t start = pos_;
        const char quote = peek();
        ++pos_;
        std::string value;
        while (true) {
            if (at_end()) {
                throw QueryError(start, std::string("this string is never closed: add a closing ") + quote);
            }
            const char c = query_[pos_];
            if (c == quote) break;
            if (is_control(c)) throw QueryError(pos_, "control character inside a string");
            if (c == '\\') {
                const char escaped = peek(1);
                if (escaped != '\\' && escaped != '"' && escaped != '\'') {
                    throw QueryError(pos_, "unknown escape in string: only \\\\, \\\" and \\' are allowed");
                }
                value += escaped;
                pos_ += 2;
            } else {
                value += c;
                ++pos_;
            }
            if (value.size() > kMaxStringLiteral) {
                throw QueryError(start, "string is longer than " + std::to_string(kMaxStringLiteral) + " bytes");
            }
        }
        ++pos_;  // closing quote
        return Token{TokenKind::String, std::move(value), start};
    }

    std::string_view query_;
    std::size_t pos_ = 0;
};

}  // namespace

std::vector<Token> tokenize(std::string_view query) { return Lexer(query).run(); }

std::string describe(const Token& token) {
    constexpr std::size_t kShown = 30;
    const std::string shown = token.text.size() > kShown ? token.text.substr(0, kShown) + "..." : token.text;
    switch (token.kind) {
        case TokenKind::End: return "end of query";
        case TokenKind::String: return "\"" + shown + "\"";
        default: return "'" + shown + "'";
    }
}

}  // namespace vibed::playlist
