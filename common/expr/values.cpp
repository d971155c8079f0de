#include "expr/values.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

namespace flowctl::expr {
namespace {

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

// Values nested deeper than this cannot be compared (keeps the recursion bounded).
constexpr int max_compare_depth = 1000;

unsigned char upper(char c) {
    auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') ? static_cast<unsigned char>(u - 'a' + 'A') : u;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Parses "0x1f" / "0o17" style integers; NaN when the digits do not fit in 64 bits.
double parse_radix(std::string_view digits, int base) {
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (ec != std::errc() || end != digits.data() + digits.size()) return nan_value;
    return static_cast<double>(value);
}

// Decimal: [+-] (digits [. digits] | . digits) [(e|E) [+-] digits], validated by hand because
// from_chars also accepts "inf", "nan" and hex floats, which GitHub does not.
double parse_decimal(std::string_view s) {
    bool negative = false;
    size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    size_t int_start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    size_t int_digits = i - int_start;
    size_t frac_digits = 0;
    size_t frac_start = i;
    if (i < s.size() && s[i] == '.') {
        frac_start = ++i;
        while (i < s.size() && is_digit(s[i])) ++i;
        frac_digits = i - frac_start;
    }
    if (int_digits + frac_digits == 0) return nan_value;
    long long exponent = 0;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
        size_t exp_start = i;
        while (i < s.size() && is_digit(s[i])) {
            if (exponent < 100000) exponent = exponent * 10 + (s[i] - '0');
            ++i;
        }
        if (i == exp_start) return nan_value;
        if (exp_negative) exponent = -exponent;
    }
    if (i != s.size()) return nan_value;

    std::string_view body = s.substr(int_start);
    double value = 0;
    auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
    if (ec == std::errc::result_out_of_range) {
        // Decide between overflow and underflow from the decimal magnitude.
        long long magnitude = exponent;
        size_t k = int_start;
        while (k < int_start + int_digits && s[k] == '0') ++k;
        if (k < int_start + int_digits) {
            magnitude += static_cast<long long>(int_start + int_digits - k);
        } else {
            size_t f = frac_start;
            while (f < frac_start + frac_digits && s[f] == '0') ++f;
            magnitude -= static_cast<long long>(f - frac_start);
        }
        value = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    } else if (ec != std::errc() || end != body.data() + body.size()) {
        return nan_value;
    }
    return negative ? -value : value;
}

bool is_integer(const json& v) { return v.is_number_integer(); }  // signed or unsigned

// Three-way comparison of two integer JSON numbers without going through double.
int compare_integers(const json& a, const json& b) {
    auto as_wide = [](const json& v, bool& negative) -> uint64_t {
        if (v.is_number_unsigned()) {
            negative = false;
            return v.get<uint64_t>();
        }
        int64_t i = v.get<int64_t>();
        negative = i < 0;
        return negative ? uint64_t{0} - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
    };
    bool na = false, nb = false;
    uint64_t ma = as_wide(a, na), mb = as_wide(b, nb);
    if (na != nb) return na ? -1 : 1;
    if (ma == mb) return 0;
    bool less = ma < mb;
    if (na) less = !less;  // both negative: larger magnitude is smaller
    return less ? -1 : 1;
}

enum class Kind { null, boolean, number, string, array, object };

Kind kind_of(const json& v) {
    switch (v.type()) {
        case json::value_t::null:
            return Kind::null;
        case json::value_t::boolean:
            return Kind::boolean;
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float:
            return Kind::number;
        case json::value_t::string:
            return Kind::string;
        case json::value_t::array:
            return Kind::array;
        default:
            return Kind::object;
    }
}

bool equal_at(const json& a, const json& b, int depth) {
    if (depth > max_compare_depth)
        throw EvalError("cannot compare values nested more than " + std::to_string(max_compare_depth) + " levels deep");
    Kind ka = kind_of(a), kb = kind_of(b);
    if (ka == kb) {
        switch (ka) {
            case Kind::null:
                return true;
            case Kind::boolean:
                return a.get<bool>() == b.get<bool>();
            case Kind::number:
                if (is_integer(a) && is_integer(b)) return compare_integers(a, b) == 0;
                return to_number(a) == to_number(b);  // NaN is never equal
            case Kind::string:
                return iequals(a.get_ref<const std::string&>(), b.get_ref<const std::string&>());
            case Kind::array:
                if (a.size() != b.size()) return false;
                for (size_t i = 0; i < a.size(); ++i)
                    if (!equal_at(a[i], b[i], depth + 1)) return false;
                return true;
            case Kind::object:
                if (!a.is_object() || !b.is_object() || a.size() != b.size()) return a == b;
                for (const auto& [key, value] : a.items()) {
                    const json* other = find_property(b, key);
                    if (!other || !equal_at(value, *other, depth + 1)) return false;
                }
                return true;
        }
    }
    // Different kinds: both become numbers (arrays and objects become NaN, never equal).
    return to_number(a) == to_number(b);
}

}  // namespace

double parse_number(std::string_view text) {
    std::string_view s = trim(text);
    if (s.empty()) return 0.0;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        std::string_view digits = s.substr(2);
        for (char c : digits)
            if (s[1] == 'x' ? !is_hex_digit(c) : (c < '0' || c > '7')) return nan_value;
        return parse_radix(digits, s[1] == 'x' ? 16 : 8);
    }
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    return parse_decimal(s);
}

double to_number(const json& value) {
    switch (value.type()) {
        case json::value_t::null:
            return 0.0;
        case json::value_t::boolean:
            return value.get<bool>() ? 1.0 : 0.0;
        case json::value_t::number_integer:
            return static_cast<double>(value.get<int64_t>());
        case json::value_t::number_unsigned:
            return static_cast<double>(value.get<uint64_t>());
        case json::value_t::number_float:
            return value.get<double>();
        case json::value_t::string:
            return parse_number(value.get_ref<const std::string&>());
        default:
            return nan_value;
    }
}

json number_value(double d) {
    constexpr double lo = -9223372036854775808.0, hi = 9223372036854775808.0;
    if (std::isfinite(d) && d == std::trunc(d) && d >= lo && d < hi) return json(static_cast<int64_t>(d));
    return json(d);
}

std::string format_number(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.15G", d);
    std::string s = buffer;
    return s == "-0" ? "0" : s;
}

bool truthy(const json& value) {
    switch (value.type()) {
        case json::value_t::null:
            return false;
        case json::value_t::boolean:
            return value.get<bool>();
        case json::value_t::number_integer:
            return value.get<int64_t>() != 0;
        case json::value_t::number_unsigned:
            return value.get<uint64_t>() != 0;
        case json::value_t::number_float: {
            double d = value.get<double>();
            return !(d == 0.0 || std::isnan(d));
        }
        case json::value_t::string:
            return !value.get_ref<const std::string&>().empty();
        default:
            return true;
    }
}

std::string to_string(const json& value) {
    switch (value.type()) {
        case json::value_t::null:
            return "";
        case json::value_t::boolean:
            return value.get<bool>() ? "true" : "false";
        // Integers print exactly: G15 would turn a 16-digit id into 1.23456789012346E+15.
        case json::value_t::number_integer:
            return std::to_string(value.get<int64_t>());
        case json::value_t::number_unsigned:
            return std::to_string(value.get<uint64_t>());
        case json::value_t::number_float:
            return format_number(value.get<double>());
        case json::value_t::string:
            return value.get<std::string>();
        case json::value_t::array:
            return "Array";
        default:
            return "Object";
    }
}

bool is_primitive(const json& value) {
    return value.is_null() || value.is_boolean() || value.is_number() || value.is_string();
}

bool loose_equal(const json& a, const json& b) { return equal_at(a, b, 0); }

bool compare(CompareOp op, const json& a, const json& b) {
    if (op == CompareOp::eq) return loose_equal(a, b);
    if (op == CompareOp::ne) return !loose_equal(a, b);
    int order = 0;
    if (a.is_string() && b.is_string()) {
        order = icompare(a.get_ref<const std::string&>(), b.get_ref<const std::string&>());
    } else if (is_integer(a) && is_integer(b)) {
        order = compare_integers(a, b);
    } else {
        double x = to_number(a), y = to_number(b);
        if (std::isnan(x) || std::isnan(y)) return false;
        order = x < y ? -1 : (x > y ? 1 : 0);
    }
    switch (op) {
        case CompareOp::lt:
            return order < 0;
        case CompareOp::le:
            return order <= 0;
        case CompareOp::gt:
            return order > 0;
        case CompareOp::ge:
            return order >= 0;
        default:
            return false;
    }
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (upper(a[i]) != upper(b[i])) return false;
    return true;
}

int icompare(std::string_view a, std::string_view b) {
    size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
        unsigned char x = upper(a[i]), y = upper(b[i]);
        if (x != y) return x < y ? -1 : 1;
    }
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

bool icontains(std::string_view haystack, std::string_view needle) {
    if (needle.empty()) return true;
    if (needle.size() > haystack.size()) return false;
    auto fold = [](std::string_view s) {
        std::string out(s);
        for (char& c : out) c = static_cast<char>(upper(c));
        return out;
    };
    std::string h = fold(haystack), n = fold(needle);
    // Boyer-Moore keeps long searches (format() output can be megabytes) linear.
    auto it = std::search(h.begin(), h.end(), std::boyer_moore_searcher(n.begin(), n.end()));
    return it != h.end();
}

bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool iends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

const json* find_property(const json& object, std::string_view key) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(std::string(key));
    if (it != object.end()) return &*it;
    for (auto i = object.begin(); i != object.end(); ++i)
        if (iequals(i.key(), key)) return &*i;
    return nullptr;
}

}  // namespace flowctl::expr
