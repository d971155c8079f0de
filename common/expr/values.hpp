#pragma once
// GitHub Actions value semantics shared by operators and functions: coercion to numbers,
// loose equality, ordering and case-insensitive string helpers.
#include <string>
#include <string_view>

#include "expr/ast.hpp"

namespace flowctl::expr {

/// JavaScript-like Number(): null 0, booleans 1/0, strings parsed (trimmed; "" is 0; decimal,
/// exponent, 0x hex, 0o octal), arrays and objects NaN.
double to_number(const json& value);

/// Parses a number literal or a trimmed string as GitHub does; NaN when it is not a number.
double parse_number(std::string_view text);

/// Integral doubles in int64 range become integer JSON, so toJSON(3) prints `3`, not `3.0`.
json number_value(double d);

/// .NET "G15" formatting: 3, 2.5, 0.3, 1E+21, NaN, Infinity.
std::string format_number(double d);

/// GitHub `==`. Arrays and objects compare by deep (loose) equality; GitHub compares them by
/// identity, which no one can rely on in a workflow, so this is a deliberate difference.
bool loose_equal(const json& a, const json& b);

/// GitHub `<`, `<=`, `>`, `>=` (and `==`/`!=` through loose_equal).
bool compare(CompareOp op, const json& a, const json& b);

bool is_primitive(const json& value);

/// ASCII case-insensitive helpers (GitHub uses OrdinalIgnoreCase).
bool iequals(std::string_view a, std::string_view b);
int icompare(std::string_view a, std::string_view b);
bool icontains(std::string_view haystack, std::string_view needle);
bool istarts_with(std::string_view s, std::string_view prefix);
bool iends_with(std::string_view s, std::string_view suffix);

/// Property lookup on an object: the exact key first, then a case-insensitive match.
/// Returns nullptr when absent.
const json* find_property(const json& object, std::string_view key);

}  // namespace flowctl::expr
