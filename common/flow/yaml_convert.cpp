#include "flow/yaml_convert.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>

namespace flowctl::flow::detail {

namespace {

bool all_of(std::string_view s, int (*pred)(int)) {
    if (s.empty()) return false;
    for (char c : s)
        if (!pred(static_cast<unsigned char>(c))) return false;
    return true;
}
int is_octal(int c) { return c >= '0' && c <= '7'; }

std::optional<json> resolve_null(std::string_view s) {
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return json(nullptr);
    return std::nullopt;
}

std::optional<json> resolve_bool(std::string_view s) {
    if (s == "true" || s == "True" || s == "TRUE") return json(true);
    if (s == "false" || s == "False" || s == "FALSE") return json(false);
    return std::nullopt;
}

std::optional<json> resolve_int(std::string_view s) {
    auto unsigned_base = [](std::string_view digits, int base) -> std::optional<json> {
        uint64_t v = 0;
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
        if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
        if (v <= static_cast<uint64_t>(INT64_MAX)) return json(static_cast<int64_t>(v));
        return json(v);
    };
    if (s.size() > 2 && s[0] == '0' && s[1] == 'x' && all_of(s.substr(2), isxdigit))
        return unsigned_base(s.substr(2), 16);
    if (s.size() > 2 && s[0] == '0' && s[1] == 'o' && all_of(s.substr(2), is_octal))
        return unsigned_base(s.substr(2), 8);
    std::string_view digits = s;
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
    if (!all_of(digits, isdigit)) return std::nullopt;
    std::string_view parse = s[0] == '+' ? s.substr(1) : s;
    int64_t v = 0;
    auto [p, ec] = std::from_chars(parse.data(), parse.data() + parse.size(), v);
    if (ec == std::errc() && p == parse.data() + parse.size()) return json(v);
    if (s[0] != '-') return unsigned_base(digits, 10).value_or(json(std::strtod(std::string(s).c_str(), nullptr)));
    return json(std::strtod(std::string(s).c_str(), nullptr));  // beyond int64: a float
}

/// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool is_core_float(std::string_view s) {
    size_t i = 0;
    auto digits = [&]() {
        size_t start = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        return i - start;
    };
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (digits() == 0) return false;
    } else {
        if (digits() == 0) return false;
        if (i < s.size() && s[i] == '.') {
            ++i;
            digits();
        }
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
        if (digits() == 0) return false;
    }
    return i == s.size();
}

std::optional<json> resolve_float(std::string_view s) {
    if (!is_core_float(s)) return std::nullopt;
    return json(std::strtod(std::string(s).c_str(), nullptr));
}

}  // namespace

json scalar_to_json(const YNode& node) {
    if (node.kind == NodeKind::null) return nullptr;
    const std::string& s = node.value;
    switch (node.tag) {
        case ScalarTag::string:
            return s;
        case ScalarTag::core_null:
            return resolve_null(s).value_or(json(s));
        case ScalarTag::core_bool:
            return resolve_bool(s).value_or(json(s));
        case ScalarTag::core_int:
            return resolve_int(s).value_or(json(s));
        case ScalarTag::core_float:
            return resolve_float(s).value_or(resolve_int(s).value_or(json(s)));
        case ScalarTag::plain:
            break;
    }
    if (auto v = resolve_null(s)) return *v;
    if (auto v = resolve_bool(s)) return *v;
    if (auto v = resolve_int(s)) return *v;
    if (auto v = resolve_float(s)) return *v;
    return s;  // including .inf and .nan, which JSON cannot hold
}

std::optional<json> JsonConverter::convert(NodeId id, std::string* error) {
    json out;
    if (!convert_into(id, out, 0, error)) return std::nullopt;
    return out;
}

bool JsonConverter::convert_into(NodeId id, json& out, int depth, std::string* error) {
    auto fail = [&](std::string message) {
        m_exhausted = true;
        if (error) *error = std::move(message);
        return false;
    };
    if (m_exhausted) return fail("the document is too large to convert");
    if (++m_used > max_nodes)
        return fail("the document expands to more than " + std::to_string(max_nodes) +
                    " nodes (an alias repeated too often?)");
    // Aliases can stack nesting beyond what the parser allowed.
    if (depth > max_nesting)
        return fail("nesting deeper than " + std::to_string(max_nesting) + " levels (through aliases)");
    const YNode& n = m_tree[id];
    switch (n.kind) {
        case NodeKind::null:
        case NodeKind::scalar:
            out = scalar_to_json(n);
            return true;
        case NodeKind::sequence:
            out = json::array();
            for (NodeId child : n.children) {
                json item;
                if (!convert_into(child, item, depth + 1, error)) return false;
                out.push_back(std::move(item));
            }
            return true;
        case NodeKind::mapping:
            out = json::object();
            for (size_t i = 0; i < m_tree.pair_count(id); ++i) {
                json value;
                if (!convert_into(m_tree.value_at(id, i), value, depth + 1, error)) return false;
                out[m_tree.key_text(id, i)] = std::move(value);
            }
            return true;
    }
    return true;
}

}  // namespace flowctl::flow::detail
