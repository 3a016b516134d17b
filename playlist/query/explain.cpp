#include "playlist/query/explain.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace vibed::playlist {
namespace {

const Field* tested_field(const Condition& condition) {
    return std::visit([](const auto& c) { return c.field; }, condition);
}

// Fields in order of first appearance; recursion is bounded by kMaxNesting.
void collect_fields(const Expr& expr, std::vector<const Field*>& fields) {
    if (expr.kind == Expr::Kind::Condition) {
        const Field* field = tested_field(*expr.condition);
        if (std::find(fields.begin(), fields.end(), field) == fields.end()) fields.push_back(field);
        return;
    }
    for (const Expr& operand : expr.operands) collect_fields(operand, fields);
}

}  // namespace

std::string describe_value(const Field& field, const core::LibraryRow& row) {
    const FieldValue value = field.read(row);
    if (const auto* text = std::get_if<std::string_view>(&value)) return "\"" + std::string(*text) + "\"";
    const double number = std::get<double>(value);
    if (is_unknown(field, number)) return "unknown";
    if (field.kind == FieldKind::Attribute || field.kind == FieldKind::Probability) {
        // Attributes are stored as float; print the float, not its double expansion.
        std::array<char, 64> buffer{};
        const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), static_cast<float>(number));
        return std::string(buffer.data(), result.ptr);
    }
    return Number{number, 0}.to_string();
}

std::vector<ConditionCheck> explain(const Query& query, const core::LibraryRow& row) {
    std::vector<ConditionCheck> checks;
    for (const Expr* condition : top_level_conditions(query)) {
        std::vector<const Field*> fields;
        collect_fields(*condition, fields);
        std::string values;
        for (const Field* field : fields) {
            if (!values.empty()) values += ", ";
            values += std::string(field->name) + " " + describe_value(*field, row);
        }
        checks.push_back({to_string(*condition), values, evaluate(*condition, row)});
    }
    return checks;
}

}  // namespace vibed::playlist
