// `${{ }}` templates, rendering of JSON values and `if:` conditions.
#include "expr/ast.hpp"
#include "expr/lexer.hpp"
#include "expr/values.hpp"

namespace flowctl::expr {
namespace {

constexpr std::string_view open_marker = "${{";

// render_value() walks configuration values, which are shallow; anything deeper is refused
// rather than risking the stack.
constexpr int max_value_depth = 256;

bool is_blank(std::string_view s) { return s.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos; }

std::string at_offset(size_t offset) { return " (at offset " + std::to_string(offset) + ")"; }

json eval_part(const Template::Part& part, const EvalContext& ctx) {
    try {
        return evaluate(*part.expr, ctx);
    } catch (const EvalError& e) {
        std::string source = part.expr->source;
        throw EvalError("${{" + source + "}}: " + e.what());
    }
}

json render_at(const json& value, const EvalContext& ctx, int depth) {
    if (depth > max_value_depth)
        throw EvalError("value is nested more than " + std::to_string(max_value_depth) + " levels deep");
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        if (!has_template(text)) return value;
        ParseError error;
        auto t = parse_template(text, &error);
        if (!t)
            throw EvalError("invalid expression in " + quote_snippet(text) + ": " + error.message +
                            at_offset(error.offset));
        return render(*t, ctx);
    }
    if (value.is_array()) {
        json out = json::array();
        for (const auto& item : value) out.push_back(render_at(item, ctx, depth + 1));
        return out;
    }
    if (value.is_object()) {
        json out = json::object();
        for (const auto& [key, item] : value.items()) out[key] = render_at(item, ctx, depth + 1);
        return out;
    }
    return value;
}

}  // namespace

bool Template::single_expression() const {
    int expressions = 0;
    for (const auto& p : parts) {
        if (p.expr)
            ++expressions;
        else if (!is_blank(p.text))
            return false;
    }
    return expressions == 1;
}

bool has_template(std::string_view text) { return text.find(open_marker) != std::string_view::npos; }

std::optional<Template> parse_template(std::string_view text, ParseError* error) {
    Template t;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t open = text.find(open_marker, pos);
        if (open == std::string_view::npos) {
            t.parts.push_back({std::string(text.substr(pos)), std::nullopt, pos});
            break;
        }
        if (open > pos) t.parts.push_back({std::string(text.substr(pos, open - pos)), std::nullopt, pos});
        // The first `}}` outside a single-quoted string closes the expression.
        size_t inner = open + open_marker.size();
        size_t close = std::string_view::npos;
        bool in_string = false;
        for (size_t i = inner; i < text.size(); ++i) {
            if (text[i] == '\'') {
                in_string = !in_string;  // '' (an escaped quote) toggles twice
            } else if (!in_string && text[i] == '}' && i + 1 < text.size() && text[i + 1] == '}') {
                close = i;
                break;
            }
        }
        if (close == std::string_view::npos) {
            if (error) *error = ParseError{open, "unclosed '${{' (missing '}}')"};
            return std::nullopt;
        }
        ParseError inner_error;
        auto e = parse(text.substr(inner, close - inner), &inner_error);
        if (!e) {
            if (error) *error = ParseError{inner + inner_error.offset, std::move(inner_error.message)};
            return std::nullopt;
        }
        t.parts.push_back({"", std::move(e), open});
        pos = close + 2;
    }
    return t;
}

json render(const Template& t, const EvalContext& ctx) {
    if (t.single_expression()) {
        for (const auto& p : t.parts)
            if (p.expr) return eval_part(p, ctx);
    }
    std::string out;
    for (const auto& p : t.parts) {
        std::string piece = p.expr ? to_string(eval_part(p, ctx)) : p.text;
        if (out.size() + piece.size() > max_string_bytes)
            throw EvalError("rendered text is larger than " + std::to_string(max_string_bytes >> 20) + " MiB");
        out += piece;
    }
    return out;
}

json render_value(const json& value, const EvalContext& ctx) { return render_at(value, ctx, 0); }

bool evaluate_condition(std::string_view condition, const EvalContext& ctx) {
    const Status& s = ctx.status;
    bool success = !s.any_failed && !s.any_skipped && !s.cancelled;
    if (is_blank(condition)) return success;

    std::optional<Expr> expr;
    ParseError error;
    if (has_template(condition)) {
        auto t = parse_template(condition, &error);
        if (!t)
            throw EvalError("invalid condition " + quote_snippet(condition) + ": " + error.message +
                            at_offset(error.offset));
        // GitHub renders `${{ a }} == b` to a non-empty string, which is always true; refuse it.
        if (!t->single_expression())
            throw EvalError("condition " + quote_snippet(condition) +
                            " mixes text with ${{ }}: put the whole condition inside one ${{ }} or leave ${{ }} out");
        for (auto& p : t->parts)
            if (p.expr) expr = std::move(p.expr);
    } else {
        expr = parse(condition, &error);
        if (!expr)
            throw EvalError("invalid condition " + quote_snippet(condition) + ": " + error.message +
                            at_offset(error.offset));
    }
    // Without a status function GitHub evaluates `success() && (condition)`.
    if (!uses_status_function(*expr) && !success) return false;
    try {
        return truthy(evaluate(*expr, ctx));
    } catch (const EvalError& e) {
        throw EvalError("condition " + quote_snippet(condition) + ": " + e.what());
    }
}

}  // namespace flowctl::expr
