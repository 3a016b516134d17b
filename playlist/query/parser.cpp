#include "playlist/query/parser.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "playlist/query/lexer.hpp"
#include "playlist/query/query_error.hpp"
#include "playlist/query/text.hpp"

namespace vibed::playlist {
namespace {

std::string number_text(double value) { return Number{value, 0}.to_string(); }

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

    Query parse() {
        Query query;
        if (!at_clause_keyword() && !at_end()) {
            query.filter = parse_or(0);
            if (!at_clause_keyword() && !at_end()) {
                fail_expected("'and', 'or', 'sort by', 'shuffle', 'limit' or the end of the query");
            }
        }
        while (!at_end()) parse_clause(query);
        return query;
    }

    std::vector<SortKey> parse_sort_only() {
        std::vector<SortKey> keys = parse_sort_keys();
        expect_end();
        return keys;
    }

    Limit parse_limit_only() {
        const Limit limit = parse_limit();
        expect_end();
        return limit;
    }

private:
    [[nodiscard]] const Token& peek() const { return tokens_[next_]; }
    [[nodiscard]] bool at_end() const { return peek().kind == TokenKind::End; }
    // Returns the current token and moves on, but never past End.
    const Token& advance() { return tokens_[next_ == tokens_.size() - 1 ? next_ : next_++]; }

    [[nodiscard]] bool peek_keyword(std::string_view keyword) const {
        return peek().kind == TokenKind::Word && equals_ignoring_ascii_case(peek().text, keyword);
    }
    bool accept_keyword(std::string_view keyword) {
        if (!peek_keyword(keyword)) return false;
        advance();
        return true;
    }
    [[nodiscard]] bool at_clause_keyword() const {
        return peek_keyword("sort") || peek_keyword("shuffle") || peek_keyword("limit");
    }

    void expect_end() const {
        if (!at_end()) fail_expected("the end of the text");
    }

    [[noreturn]] void fail_expected(const std::string& expected) const {
        throw QueryError(peek().position, "expected " + expected + ", got " + describe(peek()));
    }

    // ---- boolean structure ----------------------------------------------

    Expr parse_or(std::size_t depth) {
        return parse_nary(Expr::Kind::Or, "or", depth, [this](std::size_t d) { return parse_and(d); });
    }

    // `and` may be left out between two terms, as in beets: `artist:davis
    // energy:0.7..` is `artist:davis and energy:0.7..`.
    Expr parse_and(std::size_t depth) {
        const std::size_t position = peek().position;
        Expr first = parse_unary(depth);
        if (!peek_keyword("and") && !at_implicit_and()) return first;
        Expr node{Expr::Kind::And, position};
        node.operands.push_back(std::move(first));
        while (accept_keyword("and") || at_implicit_and()) node.operands.push_back(parse_unary(depth));
        return node;
    }

    // The next token starts another term: a word that is no keyword joining
    // or ending the filter, or '('.
    [[nodiscard]] bool at_implicit_and() const {
        if (peek().kind == TokenKind::LeftParen) return true;
        return peek().kind == TokenKind::Word && !peek_keyword("and") && !peek_keyword("or") && !at_clause_keyword();
    }

    // operand { keyword operand }, collected into one flat node.
    template <typename ParseOperand>
    Expr parse_nary(Expr::Kind kind, std::string_view keyword, std::size_t depth, ParseOperand parse_operand) {
        const std::size_t position = peek().position;
        Expr first = parse_operand(depth);
        if (!peek_keyword(keyword)) return first;
        Expr node{kind, position};
        node.operands.push_back(std::move(first));
        while (accept_keyword(keyword)) node.operands.push_back(parse_operand(depth));
        return node;
    }

    Expr parse_unary(std::size_t depth) {
        const Token& token = peek();
        if (accept_keyword("not")) {
            Expr node{Expr::Kind::Not, token.position};
            node.operands.push_back(parse_unary(deeper(depth, token)));
            return node;
        }
        if (token.kind == TokenKind::LeftParen) {
            advance();
            Expr inner = parse_or(deeper(depth, token));
            if (peek().kind != TokenKind::RightParen) fail_expected("')' or 'and'/'or'");
            advance();
            return inner;
        }
        return parse_condition();
    }

    std::size_t deeper(std::size_t depth, const Token& token) const {
        if (depth + 1 > kMaxNesting) {
            throw QueryError(token.position, "query is nested too deeply (at most " + std::to_string(kMaxNesting) +
                                                 " levels of parentheses and 'not')");
        }
        return depth + 1;
    }

    // ---- conditions ------------------------------------------------------

    Expr parse_condition() {
        const Token& name = peek();
        const Field* field = parse_field_name();
        if (++conditions_ > kMaxConditions) {
            throw QueryError(name.position,
                             "query has more than " + std::to_string(kMaxConditions) + " conditions");
        }
        Expr node{Expr::Kind::Condition, name.position};
        node.condition = field->kind == FieldKind::Text ? parse_text_condition(*field) : parse_number_condition(*field);
        return node;
    }

    const Field* parse_field_name() {
        if (peek().kind != TokenKind::Word) fail_expected("a field name such as energy");
        const Token& token = advance();
        const Field* field = find_field(token.text);
        if (field == nullptr) {
            if (const Field* near = closest_field(token.text)) {
                throw QueryError(token.position, "unknown field '" + token.text + "'; did you mean '" +
                                                     std::string(near->name) + "'?");
            }
            throw QueryError(token.position,
                             "unknown field '" + token.text + "'; fields are " + field_names_for_humans());
        }
        return field;
    }

    // The field a typo most likely meant: at most two edits away (ignoring
    // ASCII case), or nullptr.
    static const Field* closest_field(std::string_view typed) {
        const std::string word = ascii_lowercase(typed);
        const Field* best = nullptr;
        std::size_t best_distance = 3;
        for (const Field& field : all_fields()) {
            const std::size_t distance = edit_distance(word, field.name);
            if (distance < best_distance) {
                best = &field;
                best_distance = distance;
            }
        }
        return best;
    }

    Condition parse_text_condition(const Field& field) {
        const Token& op = advance();
        switch (op.kind) {
            case TokenKind::Equal: return Comparison{&field, CompareOp::Equal, parse_named_value(field)};
            case TokenKind::NotEqual: return Comparison{&field, CompareOp::NotEqual, parse_named_value(field)};
            case TokenKind::Colon: return TextMatch{TextMatch::Kind::Contains, &field, parse_text_value(field)};
            case TokenKind::Tilde: return TextMatch{TextMatch::Kind::Glob, &field, parse_text_value(field)};
            default:
                throw QueryError(op.position, "expected =, !=, : (contains) or ~ (glob) after text field " +
                                                  std::string(field.name) + ", got " + describe(op));
        }
    }

    // Text values may be quoted, a bare word or a bare number (`title:1999`).
    std::string parse_text_value(const Field& field) {
        const TokenKind kind = peek().kind;
        if (kind != TokenKind::String && kind != TokenKind::Word && kind != TokenKind::Number) {
            fail_expected("a text value for " + std::string(field.name) + " such as \"Miles Davis\"");
        }
        return advance().text;
    }

    // A text value compared with = or != ; for key, mode and mood it must be
    // one of the field's values, stored in its canonical spelling.
    std::string parse_named_value(const Field& field) {
        const std::size_t position = peek().position;
        std::string value = parse_text_value(field);
        if (field.canonical == nullptr) return value;
        std::string canonical = field.canonical(value);
        if (canonical.empty()) {
            throw QueryError(position, std::string(field.name) + " is " + std::string(field.values_for_humans) +
                                           ", got '" + value + "'");
        }
        return canonical;
    }

    Condition parse_number_condition(const Field& field) {
        const Token& op = advance();
        switch (op.kind) {
            case TokenKind::Less: return Comparison{&field, CompareOp::Less, parse_number(field)};
            case TokenKind::LessEqual: return Comparison{&field, CompareOp::LessEqual, parse_number(field)};
            case TokenKind::Greater: return Comparison{&field, CompareOp::Greater, parse_number(field)};
            case TokenKind::GreaterEqual: return Comparison{&field, CompareOp::GreaterEqual, parse_number(field)};
            case TokenKind::Equal: return Comparison{&field, CompareOp::Equal, parse_number(field)};
            case TokenKind::NotEqual: return Comparison{&field, CompareOp::NotEqual, parse_number(field)};
            case TokenKind::Colon: return parse_range_or_equality(field);
            case TokenKind::Tilde:
                throw QueryError(op.position, "~ (glob) applies to text fields only; " + std::string(field.name) +
                                                  " is a number");
            default:
                throw QueryError(op.position, "expected <, <=, >, >=, =, != or : after " + std::string(field.name) +
                                                  ", got " + describe(op));
        }
    }

    // field:low..high, field:low.., field:..high, or field:value (equality).
    Condition parse_range_or_equality(const Field& field) {
        const std::size_t start = peek().position;
        std::optional<Number> low;
        if (peek().kind == TokenKind::Number) low = parse_number(field);
        if (peek().kind != TokenKind::DotDot) {
            if (low) return Comparison{&field, CompareOp::Equal, *low};
            fail_expected("a number or a range such as " + std::string(field.name) + ":0.4..0.8");
        }
        advance();
        std::optional<Number> high;
        if (peek().kind == TokenKind::Number) high = parse_number(field);
        if (!low && !high) {
            throw QueryError(start, "a range needs at least one end, e.g. " + std::string(field.name) + ":0.7..");
        }
        if (low && high && low->seconds() > high->seconds()) {
            throw QueryError(start, "empty range: " + low->to_string() + " is above " + high->to_string());
        }
        return Range{&field, low, high};
    }

    Number parse_number(const Field& field) {
        const std::string example = field.kind == FieldKind::Attribute || field.kind == FieldKind::Probability ? "0.7"
                                    : field.kind == FieldKind::Measure ? "120"
                                    : field.accepts_time_unit          ? "4m"
                                                                       : "1999";
        if (peek().kind != TokenKind::Number) {
            fail_expected("a number for " + std::string(field.name) + " such as " + example);
        }
        const Token& token = advance();
        const Number number{token.number, token.unit};
        if (number.unit != 0 && !field.accepts_time_unit) {
            throw QueryError(token.position, std::string(field.name) + " takes a plain number, not a duration");
        }
        const double value = number.seconds();
        if (!std::isfinite(value) || value < field.minimum || value > field.maximum) {
            throw QueryError(token.position, std::string(field.name) + " must be between " +
                                                 number_text(field.minimum) + " and " + number_text(field.maximum) +
                                                 ", got " + token.text);
        }
        return number;
    }

    // ---- clauses ---------------------------------------------------------

    void parse_clause(Query& query) {
        const Token& keyword = peek();
        if (accept_keyword("sort")) {
            if (!query.sort.empty()) throw QueryError(keyword.position, "'sort by' is given twice");
            if (!accept_keyword("by")) fail_expected("'by' after 'sort'");
            query.sort = parse_sort_keys();
        } else if (accept_keyword("shuffle")) {
            if (query.shuffle) throw QueryError(keyword.position, "'shuffle' is given twice");
            query.shuffle = true;
        } else if (accept_keyword("limit")) {
            if (query.limit) throw QueryError(keyword.position, "'limit' is given twice");
            query.limit = parse_limit();
        } else {
            fail_expected("'sort by', 'shuffle', 'limit' or the end of the query");
        }
    }

    std::vector<SortKey> parse_sort_keys() {
        std::vector<SortKey> keys{parse_sort_key()};
        while (peek().kind == TokenKind::Comma) {
            const std::size_t comma = advance().position;
            if (keys.size() >= kMaxSortKeys) {
                throw QueryError(comma, "at most " + std::to_string(kMaxSortKeys) + " sort keys");
            }
            keys.push_back(parse_sort_key());
        }
        return keys;
    }

    SortKey parse_sort_key() {
        SortKey key{parse_field_name()};
        if (accept_keyword("desc")) {
            key.descending = true;
        } else {
            accept_keyword("asc");
        }
        return key;
    }

    Limit parse_limit() {
        const std::string expected = "a track count such as 50 or a duration such as 90m or 2h";
        if (peek().kind != TokenKind::Number) fail_expected(expected);
        const Token& token = advance();
        if (token.unit != 0) {
            if (token.number <= 0) throw QueryError(token.position, "limit must be more than zero");
            return Limit{Limit::Kind::Duration, 0, Number{token.number, token.unit}};
        }
        if (token.number != std::floor(token.number) || token.number < 1 ||
            token.number > static_cast<double>(kMaxLimitCount)) {
            throw QueryError(token.position, "expected " + expected + " (a count is a whole number from 1 to " +
                                                 std::to_string(kMaxLimitCount) + "), got " + token.text);
        }
        return Limit{Limit::Kind::Count, static_cast<std::size_t>(token.number), Number{}};
    }

    std::vector<Token> tokens_;
    std::size_t next_ = 0;
    std::size_t conditions_ = 0;
};

std::vector<Token> checked_tokens(std::string_view text) {
    if (text.size() > kMaxQueryBytes) {
        throw QueryError(0, "query is longer than " + std::to_string(kMaxQueryBytes) + " bytes");
    }
    // Also keeps text matching exact: SQLite's instr() and GLOB step through
    // characters, which only equals byte-wise matching for valid UTF-8.
    if (const std::size_t invalid = first_invalid_utf8(text); invalid != std::string_view::npos) {
        throw QueryError(invalid, "query is not valid UTF-8");
    }
    return tokenize(text);
}

}  // namespace

Query parse_query(std::string_view text) { return Parser(checked_tokens(text)).parse(); }

std::vector<SortKey> parse_sort(std::string_view text) {
    return Parser(checked_tokens(text)).parse_sort_only();
}

Limit parse_limit(std::string_view text) { return Parser(checked_tokens(text)).parse_limit_only(); }

}  // namespace vibed::playlist
