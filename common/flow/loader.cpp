#include "flow/loader.hpp"

#include <cctype>
#include <climits>

#include "util/spellcheck.hpp"

namespace flowctl::flow::detail {

void Loader::error(SourcePos pos, std::string message) {
    m_diags.push_back({path, pos.line, pos.col, util::Severity::error, std::move(message)});
}

void Loader::warning(SourcePos pos, std::string message) {
    m_diags.push_back({path, pos.line, pos.col, util::Severity::warning, std::move(message)});
}

void Loader::unknown_key(NodeId key, const std::string& context, const std::vector<std::string>& candidates) {
    const std::string& name = tree[key].value;
    std::string message = "unknown key '" + name + "'";
    if (!context.empty()) message += " in " + context;
    if (auto guess = suggest(name, candidates)) message += " (did you mean '" + *guess + "'?)";
    error(key, std::move(message));
}

std::optional<json> Loader::to_json(NodeId node) {
    std::string why;
    auto value = m_converter.convert(node, &why);
    if (!value && !m_budget_reported) {
        m_budget_reported = true;  // once: every later conversion fails the same way
        error(node, why);
    }
    return value;
}

std::optional<std::string> Loader::string_value(NodeId node, const std::string& what) {
    if (tree.is_scalar(node)) return tree[node].value;
    error(node, what + " must be a string, got " + tree.describe(node));
    return std::nullopt;
}

std::optional<bool> Loader::bool_value(NodeId node, const std::string& what) {
    if (tree.is_scalar(node)) {
        json v = scalar_to_json(tree[node]);
        if (v.is_boolean()) return v.get<bool>();
    }
    error(node, what + " must be true or false, got " + tree.describe(node));
    return std::nullopt;
}

std::optional<int64_t> Loader::int_value(NodeId node, const std::string& what, int64_t min) {
    if (tree.is_scalar(node)) {
        json v = scalar_to_json(tree[node]);
        if (v.is_number_integer() && !(v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX)) {
            int64_t n = v.get<int64_t>();
            if (n >= min && n <= INT32_MAX) return n;
        }
    }
    error(node, what + " must be an integer >= " + std::to_string(min) + ", got " + tree.describe(node));
    return std::nullopt;
}

std::optional<util::Millis> Loader::duration_value(NodeId node, const std::string& what) {
    if (!tree.is_scalar(node)) {
        error(node, what + " must be a duration such as 30s, 5m or 1h30m, got " + tree.describe(node));
        return std::nullopt;
    }
    if (auto d = util::parse_duration(tree[node].value)) return d;
    error(node, invalid_duration_message(tree[node].value));
    return std::nullopt;
}

std::optional<std::vector<std::string>> Loader::string_list(NodeId node, const std::string& what) {
    if (!tree.is_seq(node)) {
        error(node, what + " must be a list of strings, got " + tree.describe(node));
        return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (NodeId item : tree[node].children) {
        if (tree.is_scalar(item)) {
            out.push_back(tree[item].value);
        } else {
            error(item, "each item of " + what + " must be a string, got " + tree.describe(item));
            ok = false;
        }
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<std::map<std::string, std::string>> Loader::string_map(NodeId node, const std::string& what) {
    if (!expect_map(node, what)) return std::nullopt;
    std::map<std::string, std::string> out;
    for (size_t i = 0; i < tree.pair_count(node); ++i) {
        const std::string& key = tree.key_text(node, i);
        NodeId value = tree.value_at(node, i);
        if (key.empty() || key.find('=') != std::string::npos) {
            error(tree.key_at(node, i), "invalid variable name '" + key + "' in " + what);
            continue;
        }
        if (tree.is_null(value)) {
            out[key] = "";
        } else if (tree.is_scalar(value)) {
            out[key] = tree[value].value;
        } else {
            error(value,
                  "'" + key + "' in " + what + " must be a string, number or boolean, got " + tree.describe(value));
        }
    }
    return out;
}

bool Loader::expect_map(NodeId node, const std::string& what) {
    if (tree.is_map(node)) return true;
    error(node, what + " must be a mapping, got " + tree.describe(node));
    return false;
}

std::optional<std::string> suggest(std::string_view word, const std::vector<std::string>& candidates) {
    if (auto guess = util::did_you_mean(word, candidates)) return guess;
    for (const auto& c : candidates) {
        if (c.size() != word.size()) continue;
        size_t first = 0;
        while (first < c.size() && c[first] == word[first]) ++first;
        if (first + 1 < c.size() && c[first] == word[first + 1] && c[first + 1] == word[first] &&
            c.compare(first + 2, std::string::npos, word.substr(first + 2)) == 0)
            return c;
    }
    return std::nullopt;
}

bool is_identifier(std::string_view s) {
    if (s.empty()) return false;
    auto c0 = static_cast<unsigned char>(s[0]);
    if (!(std::isalpha(c0) || c0 == '_')) return false;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (!(std::isalnum(c) || c == '_' || c == '-')) return false;
    }
    return true;
}

std::string invalid_duration_message(const std::string& text) {
    return "invalid duration '" + text + "' (use e.g. 30s, 5m, 1h30m)";
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += sep;
        out += items[i];
    }
    return out;
}

}  // namespace flowctl::flow::detail
