#include "playlist/query/ast.hpp"

#include <array>
#include <charconv>

#include "playlist/query/text.hpp"

namespace vibed::playlist {
namespace {

std::string_view op_text(CompareOp op) {
    switch (op) {
        case CompareOp::Less: return "<";
        case CompareOp::LessEqual: return "<=";
        case CompareOp::Greater: return ">";
        case CompareOp::GreaterEqual: return ">=";
        case CompareOp::Equal: return "=";
        case CompareOp::NotEqual: return "!=";
    }
    return "?";
}

std::string quote_for_query(std::string_view text) {
    std::string result = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') result += '\\';
        result += c;
    }
    return result + "\"";
}

template <typename T>
bool compare(const T& left, CompareOp op, const T& right) {
    switch (op) {
        case CompareOp::Less: return left < right;
        case CompareOp::LessEqual: return left <= right;
        case CompareOp::Greater: return left > right;
        case CompareOp::GreaterEqual: return left >= right;
        case CompareOp::Equal: return left == right;
        case CompareOp::NotEqual: return left != right;
    }
    return false;
}

std::string condition_to_string(const Comparison& comparison) {
    std::string value;
    if (const auto* number = std::get_if<Number>(&comparison.value)) {
        value = number->to_string();
    } else {
        value = quote_for_query(std::get<std::string>(comparison.value));
    }
    return std::string(comparison.field->name) + " " + std::string(op_text(comparison.op)) + " " + value;
}

std::string condition_to_string(const Range& range) {
    return std::string(range.field->name) + ":" + (range.low ? range.low->to_string() : "") + ".." +
           (range.high ? range.high->to_string() : "");
}

std::string condition_to_string(const TextMatch& match) {
    const std::string_view separator = match.kind == TextMatch::Kind::Contains ? ":" : " ~ ";
    return std::string(match.field->name) + std::string(separator) + quote_for_query(match.pattern);
}

bool condition_holds(const Comparison& comparison, const core::LibraryRow& row) {
    const FieldValue value = comparison.field->read(row);
    if (const auto* number = std::get_if<Number>(&comparison.value)) {
        const double known = std::get<double>(value);
        return !is_unknown(*comparison.field, known) && compare(known, comparison.op, number->seconds());
    }
    return compare(std::get<std::string_view>(value), comparison.op,
                   std::string_view(std::get<std::string>(comparison.value)));
}

bool condition_holds(const Range& range, const core::LibraryRow& row) {
    const double value = std::get<double>(range.field->read(row));
    if (is_unknown(*range.field, value)) return false;
    return (!range.low || value >= range.low->seconds()) && (!range.high || value <= range.high->seconds());
}

bool condition_holds(const TextMatch& match, const core::LibraryRow& row) {
    const auto value = std::get<std::string_view>(match.field->read(row));
    return match.kind == TextMatch::Kind::Contains ? contains_ignoring_case(value, match.pattern)
                                                   : glob_matches(match.pattern, value);
}

// Whether `child` must be parenthesised under `parent` to print back into
// the same tree: lower precedence, or an n-ary node of the same kind (whose
// grouping the user wrote explicitly).
bool needs_parentheses(Expr::Kind parent, Expr::Kind child) {
    const bool child_is_nary = child == Expr::Kind::And || child == Expr::Kind::Or;
    switch (parent) {
        case Expr::Kind::Or: return child == Expr::Kind::Or;
        case Expr::Kind::And:
        case Expr::Kind::Not: return child_is_nary;
        case Expr::Kind::Condition: return false;
    }
    return false;
}

std::string operand_to_string(Expr::Kind parent, const Expr& operand) {
    const std::string text = to_string(operand);
    return needs_parentheses(parent, operand.kind) ? "(" + text + ")" : text;
}

}  // namespace

double Number::seconds() const {
    switch (unit) {
        case 'm': return amount * 60;
        case 'h': return amount * 3600;
        case 'd': return amount * 86400;
        case 'w': return amount * 604800;
        default: return amount;
    }
}

std::string Number::to_string() const {
    // The shortest plain decimal that reads back as the same double (the
    // query language has no exponents). 400 bytes fit any double in [0, max].
    std::array<char, 400> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), amount, std::chars_format::fixed);
    std::string text(buffer.data(), result.ptr);
    if (unit != 0) text += unit;
    return text;
}

std::string to_string(const Expr& expr) {
    switch (expr.kind) {
        case Expr::Kind::Condition:
            return std::visit([](const auto& condition) { return condition_to_string(condition); }, *expr.condition);
        case Expr::Kind::Not: return "not " + operand_to_string(expr.kind, expr.operands.front());
        case Expr::Kind::And:
        case Expr::Kind::Or: {
            const std::string_view joiner = expr.kind == Expr::Kind::And ? " and " : " or ";
            std::string text;
            for (const Expr& operand : expr.operands) {
                if (!text.empty()) text += joiner;
                text += operand_to_string(expr.kind, operand);
            }
            return text;
        }
    }
    return {};
}

std::string to_string(const Query& query) {
    std::string text = query.filter ? to_string(*query.filter) : "";
    auto append = [&text](const std::string& clause) { text += (text.empty() ? "" : " ") + clause; };
    if (!query.sort.empty()) {
        std::string keys;
        for (const SortKey& key : query.sort) {
            if (!keys.empty()) keys += ", ";
            keys += std::string(key.field->name) + (key.descending ? " desc" : "");
        }
        append("sort by " + keys);
    }
    if (query.shuffle) append("shuffle");
    if (query.limit) {
        append("limit " + (query.limit->kind == Limit::Kind::Count ? std::to_string(query.limit->count)
                                                                   : query.limit->duration.to_string()));
    }
    return text;
}

bool evaluate(const Expr& expr, const core::LibraryRow& row) {
    switch (expr.kind) {
        case Expr::Kind::Condition:
            return std::visit([&row](const auto& condition) { return condition_holds(condition, row); },
                              *expr.condition);
        case Expr::Kind::Not: return !evaluate(expr.operands.front(), row);
        case Expr::Kind::And:
            for (const Expr& operand : expr.operands) {
                if (!evaluate(operand, row)) return false;
            }
            return true;
        case Expr::Kind::Or:
            for (const Expr& operand : expr.operands) {
                if (evaluate(operand, row)) return true;
            }
            return false;
    }
    return false;
}

bool evaluate(const Query& query, const core::LibraryRow& row) { return !query.filter || evaluate(*query.filter, row); }

std::vector<const Expr*> top_level_conditions(const Query& query) {
    std::vector<const Expr*> conditions;
    if (!query.filter) return conditions;
    if (query.filter->kind != Expr::Kind::And) return {&*query.filter};
    for (const Expr& operand : query.filter->operands) conditions.push_back(&operand);
    return conditions;
}

}  // namespace vibed::playlist
