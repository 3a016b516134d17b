#include "playlist/query/sql_compiler.hpp"

#include <algorithm>
#include <span>

#include "core/util/text_fold.hpp"
#include "playlist/query/query_error.hpp"

namespace vibed::playlist {
namespace {

// Long and/or chains are emitted as chains of at most this many operands,
// grouped in parentheses: SQLite parses `a OR b OR c ...` into a left-deep
// tree, so an unbroken chain of 10,000 terms would exceed its depth limit.
constexpr std::size_t kMaxChain = 64;

// How deeply a fragment nests, in the two measures SQLite limits.
struct Nesting {
    std::size_t parentheses = 0;
    std::size_t tree = 0;
};

std::string_view sql_operator(CompareOp op) {
    switch (op) {
        case CompareOp::Less: return " < ?";
        case CompareOp::LessEqual: return " <= ?";
        case CompareOp::Greater: return " > ?";
        case CompareOp::GreaterEqual: return " >= ?";
        case CompareOp::Equal: return " = ?";
        case CompareOp::NotEqual: return " != ?";
    }
    return " = ?";
}

class SqlBuilder {
public:
    util::SqlFilter filter;

    Nesting emit(const Expr& expr) {
        switch (expr.kind) {
            case Expr::Kind::Condition:
                return std::visit([this](const auto& condition) { return emit_condition(condition); },
                                  *expr.condition);
            case Expr::Kind::Not: {
                filter.where_sql += "NOT ";
                const Nesting inner = emit_parenthesised(expr.operands.front());
                return {inner.parentheses, inner.tree + 1};
            }
            case Expr::Kind::And: return emit_chain(" AND ", expr.operands);
            case Expr::Kind::Or: return emit_chain(" OR ", expr.operands);
        }
        return {};
    }

private:
    Nesting emit_parenthesised(const Expr& expr) {
        filter.where_sql += "(";
        const Nesting inner = emit(expr);
        filter.where_sql += ")";
        return {inner.parentheses + 1, inner.tree};
    }

    // Nested and/or chains get parentheses so the SQL groups like the
    // query; conditions and NOT (which binds tighter than AND) need none.
    Nesting emit_operand(const Expr& expr) {
        const bool chain = expr.kind == Expr::Kind::And || expr.kind == Expr::Kind::Or;
        return chain ? emit_parenthesised(expr) : emit(expr);
    }

    Nesting emit_chain(std::string_view joiner, std::span<const Expr> operands) {
        if (operands.size() <= kMaxChain) {
            Nesting deepest;
            for (std::size_t i = 0; i < operands.size(); ++i) {
                if (i > 0) filter.where_sql += joiner;
                const Nesting operand = emit_operand(operands[i]);
                deepest = {std::max(deepest.parentheses, operand.parentheses), std::max(deepest.tree, operand.tree)};
            }
            return {deepest.parentheses, deepest.tree + operands.size()};
        }
        // Too long for one chain: split into at most kMaxChain groups.
        const std::size_t group_size = (operands.size() + kMaxChain - 1) / kMaxChain;
        Nesting deepest;
        std::size_t groups = 0;
        for (std::size_t start = 0; start < operands.size(); start += group_size, ++groups) {
            if (start > 0) filter.where_sql += joiner;
            filter.where_sql += "(";
            const Nesting group = emit_chain(joiner, operands.subspan(start, std::min(group_size, operands.size() - start)));
            filter.where_sql += ")";
            deepest = {std::max(deepest.parentheses, group.parentheses + 1), std::max(deepest.tree, group.tree)};
        }
        return {deepest.parentheses, deepest.tree + groups};
    }

    void bind(double number) { filter.params.emplace_back(std::in_place_type<double>, number); }
    void bind(const std::string& text) { filter.params.emplace_back(std::in_place_type<std::string>, text); }

    // A comparison with NULL (an unknown year, a track without features) is
    // NULL in SQL; for fields where that can happen it is turned into plain false.
    Nesting emit_number_test(const Field& field, const std::string& test) {
        if (may_be_unknown(field)) {
            filter.where_sql += "coalesce(" + std::string(field.sql) + test + ", 0)";
            return {0, 4};
        }
        filter.where_sql += std::string(field.sql) + test;
        return {0, 3};
    }

    Nesting emit_condition(const Comparison& comparison) {
        if (const auto* number = std::get_if<Number>(&comparison.value)) {
            bind(number->seconds());
            return emit_number_test(*comparison.field, std::string(sql_operator(comparison.op)));
        }
        filter.where_sql += std::string(comparison.field->sql) + std::string(sql_operator(comparison.op));
        bind(std::get<std::string>(comparison.value));
        return {0, 3};
    }

    Nesting emit_condition(const Range& range) {
        if (range.low) bind(range.low->seconds());
        if (range.high) bind(range.high->seconds());
        const std::string test = range.low && range.high ? " BETWEEN ? AND ?" : range.low ? " >= ?" : " <= ?";
        return emit_number_test(*range.field, test);
    }

    Nesting emit_condition(const TextMatch& match) {
        if (match.kind == TextMatch::Kind::Contains) {
            // instr() rather than LIKE: no wildcard characters to escape. The
            // case folding is the one evaluate() uses (contains_ignoring_case).
            const std::string fold = util::kFoldCaseSqlFunction;
            filter.where_sql += "instr(" + fold + "(" + std::string(match.field->sql) + "), " + fold + "(?)) > 0";
        } else {
            filter.where_sql += std::string(match.field->sql) + " GLOB ?";
        }
        bind(match.pattern);
        return {0, 5};
    }
};

std::string order_by(const Query& query) {
    std::string sql;
    for (const SortKey& key : query.sort) {
        // Text sorts ignore case as `contains` matches do (vibed_fold, any script),
        // not only ASCII case as COLLATE NOCASE would.
        const std::string column(key.field->sql);
        sql += key.field->kind == FieldKind::Text ? std::string(util::kFoldCaseSqlFunction) + "(" + column + ")" : column;
        sql += key.descending ? " DESC, " : " ASC, ";
    }
    return sql + "path ASC";
}

void check_sqlite_limits(const Query& query, const util::SqlFilter& filter, Nesting nesting) {
    const std::size_t position = query.filter ? query.filter->position : 0;
    if (filter.params.size() > kSqliteMaxVariables) {
        throw QueryError(position, "query has " + std::to_string(filter.params.size()) +
                                       " values; SQLite accepts at most " + std::to_string(kSqliteMaxVariables));
    }
    if (nesting.parentheses > kMaxSqlParentheses || nesting.tree > kMaxSqlExpressionDepth ||
        filter.where_sql.size() > kMaxSqlBytes) {
        throw QueryError(position, "query is too large or nested too deeply for SQLite; simplify it");
    }
}

}  // namespace

util::SqlFilter compile(const Query& query) {
    SqlBuilder builder;
    Nesting nesting;
    if (query.filter) {
        nesting = builder.emit(*query.filter);
    } else {
        builder.filter.where_sql.clear();  // db/: empty means every track
    }
    builder.filter.order_by_sql = order_by(query);
    check_sqlite_limits(query, builder.filter, nesting);
    return std::move(builder.filter);
}

}  // namespace vibed::playlist
