#include "expr/functions.hpp"

#include <array>
#include <cstdint>

#include "expr/lexer.hpp"
#include "expr/values.hpp"

namespace flowctl::expr {
namespace {

constexpr size_t unlimited = SIZE_MAX;

// fromJSON() refuses deeper documents: other code walks values recursively.
constexpr int max_json_depth = 512;

constexpr std::array<FunctionInfo, 11> functions{{
    {Function::contains, "contains", 2, 2},
    {Function::starts_with, "startsWith", 2, 2},
    {Function::ends_with, "endsWith", 2, 2},
    {Function::format, "format", 1, unlimited},
    {Function::join, "join", 1, 2},
    {Function::to_json, "toJSON", 1, 1},
    {Function::from_json, "fromJSON", 1, 1},
    {Function::success, "success", 0, 0},
    {Function::failure, "failure", 0, 0},
    {Function::always, "always", 0, 0},
    {Function::cancelled, "cancelled", 0, 0},
}};

std::string plural(size_t n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

// Appends with the output-size guard shared by format(), join() and templates.
void append_bounded(std::string& out, std::string_view piece, const char* what) {
    if (out.size() + piece.size() > max_string_bytes)
        throw EvalError(std::string(what) + ": result is larger than " + std::to_string(max_string_bytes >> 20) +
                        " MiB");
    out.append(piece);
}

json do_contains(const json& search, const json& item) {
    if (search.is_array()) {
        for (const auto& element : search)
            if (loose_equal(element, item)) return true;
        return false;
    }
    if (is_primitive(search) && is_primitive(item)) return icontains(to_string(search), to_string(item));
    return false;
}

json do_format(size_t arg_count, const ArgEvaluator& arg) {
    std::string fmt = to_string(arg(0));
    std::vector<std::optional<std::string>> cache(arg_count - 1);
    auto bad = [&](const std::string& why) {
        return EvalError("format(): invalid format string " + quote_snippet(fmt) + ": " + why);
    };
    std::string out;
    size_t i = 0;
    while (i < fmt.size()) {
        char c = fmt[i];
        if (c == '}') {
            if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
                append_bounded(out, "}", "format()");
                i += 2;
                continue;
            }
            throw bad("unmatched '}' at position " + std::to_string(i) + " (write '}}' for a literal brace)");
        }
        if (c != '{') {
            size_t next = fmt.find_first_of("{}", i);
            if (next == std::string::npos) next = fmt.size();
            append_bounded(out, std::string_view(fmt).substr(i, next - i), "format()");
            i = next;
            continue;
        }
        if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
            append_bounded(out, "{", "format()");
            i += 2;
            continue;
        }
        size_t j = i + 1;
        size_t index = 0;
        while (j < fmt.size() && fmt[j] >= '0' && fmt[j] <= '9') {
            if (index < 1000000) index = index * 10 + static_cast<size_t>(fmt[j] - '0');
            ++j;
        }
        if (j == i + 1 || j >= fmt.size())
            throw bad("'{' at position " + std::to_string(i) +
                      " must start a placeholder such as {0} (write '{{' for a literal brace)");
        if (fmt[j] == ':') throw bad("format specifiers such as '{0:x}' are not supported");
        if (fmt[j] != '}')
            throw bad("'{' at position " + std::to_string(i) +
                      " must start a placeholder such as {0} (write '{{' for a literal brace)");
        if (index >= cache.size())
            throw EvalError("format(): placeholder {" + std::to_string(index) + "} is out of range (" +
                            plural(cache.size(), "argument") + " after the format string)");
        if (!cache[index]) cache[index] = to_string(arg(index + 1));
        append_bounded(out, *cache[index], "format()");
        i = j + 1;
    }
    return out;
}

json do_join(size_t arg_count, const ArgEvaluator& arg) {
    json items = arg(0);
    if (items.is_array() && !items.empty()) {
        std::string separator = ",";
        if (arg_count > 1 && items.size() > 1) {
            json s = arg(1);
            if (is_primitive(s)) separator = to_string(s);
        }
        std::string out;
        for (size_t i = 0; i < items.size(); ++i) {
            if (i > 0) append_bounded(out, separator, "join()");
            append_bounded(out, to_string(items[i]), "join()");
        }
        return out;
    }
    if (is_primitive(items)) return to_string(items);
    return "";
}

void check_json_depth(std::string_view text) {
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_json_depth)
                throw EvalError("fromJSON(): the document is nested more than " + std::to_string(max_json_depth) +
                                " levels deep");
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
}

json do_from_json(const json& value) {
    std::string text = to_string(value);
    check_json_depth(text);
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        std::string what = e.what();
        // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
        if (auto close = what.find("] "); what.rfind("[json.exception", 0) == 0 && close != std::string::npos)
            what.erase(0, close + 2);
        throw EvalError("fromJSON(): invalid JSON: " + what);
    }
}

}  // namespace

const FunctionInfo* find_function(std::string_view name) {
    for (const auto& f : functions)
        if (iequals(f.name, name)) return &f;
    return nullptr;
}

const FunctionInfo& function_info(Function id) {
    for (const auto& f : functions)
        if (f.id == id) return f;
    return functions.front();  // unreachable: every Function is in the table
}

std::vector<std::string> function_names() {
    std::vector<std::string> names;
    for (const auto& f : functions) names.emplace_back(f.name);
    return names;
}

std::string arity_message(const FunctionInfo& f) {
    std::string call = std::string(f.name) + "()";
    if (f.max_args == unlimited) return call + " takes at least " + plural(f.min_args, "argument");
    if (f.min_args == f.max_args)
        return f.min_args == 0 ? call + " takes no arguments" : call + " takes " + plural(f.min_args, "argument");
    return call + " takes " + std::to_string(f.min_args) + " or " + plural(f.max_args, "argument");
}

json call_function(Function id, size_t arg_count, const ArgEvaluator& arg, const Status& status) {
    switch (id) {
        case Function::contains:
            return do_contains(arg(0), arg(1));
        case Function::starts_with:
        case Function::ends_with: {
            json s = arg(0), v = arg(1);
            if (!is_primitive(s) || !is_primitive(v)) return false;
            std::string a = to_string(s), b = to_string(v);
            return id == Function::starts_with ? istarts_with(a, b) : iends_with(a, b);
        }
        case Function::format:
            return do_format(arg_count, arg);
        case Function::join:
            return do_join(arg_count, arg);
        case Function::to_json:
            return arg(0).dump(2, ' ', false, json::error_handler_t::replace);
        case Function::from_json:
            return do_from_json(arg(0));
        case Function::success:
            return !status.any_failed && !status.any_skipped && !status.cancelled;
        case Function::failure:
            return status.any_failed;
        case Function::always:
            return true;
        case Function::cancelled:
            return status.cancelled;
    }
    throw EvalError("unknown function");
}

}  // namespace flowctl::expr
