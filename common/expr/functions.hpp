#pragma once
// The built-in functions: their names and arities (checked at parse time) and their bodies.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "expr/ast.hpp"

namespace flowctl::expr {

struct FunctionInfo {
    Function id;
    const char* name;  // canonical spelling, as GitHub documents it
    size_t min_args;
    size_t max_args;  // SIZE_MAX for format()
};

/// Looks a function up by name, case-insensitively (as GitHub does).
const FunctionInfo* find_function(std::string_view name);
const FunctionInfo& function_info(Function id);
std::vector<std::string> function_names();

/// "format() takes at least 1 argument", "contains() takes 2 arguments"...
std::string arity_message(const FunctionInfo& f);

/// Evaluates argument i on demand: format() only evaluates the arguments it uses.
using ArgEvaluator = std::function<json(size_t)>;

/// Runs a function whose argument count was checked by the parser. Throws EvalError.
json call_function(Function id, size_t arg_count, const ArgEvaluator& arg, const Status& status);

}  // namespace flowctl::expr
