#pragma once
// The expression tree. Private to the expr module: other modules only see Expr.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "expr/expr.hpp"

namespace flowctl::expr {

/// Nesting limit for parentheses, `!`, indexes, calls and operator chains. Keeps parsing,
/// evaluation and destruction of the tree far from the stack limit on hostile input.
inline constexpr int max_depth = 100;

/// Guard for strings built by format(), join() and templates.
inline constexpr size_t max_string_bytes = size_t{16} << 20;

enum class NodeKind { literal, context, access, logical_not, logical_and, logical_or, compare, call };

enum class CompareOp { eq, ne, lt, le, gt, ge };

enum class Function {
    contains,
    starts_with,
    ends_with,
    format,
    join,
    to_json,
    from_json,
    success,
    failure,
    always,
    cancelled,
};

/// One step of a property chain: `.name`, `[expr]` or `.*` / `[*]`.
struct Accessor {
    enum class Kind { property, index, wildcard };
    Kind kind = Kind::property;
    std::string name;             // property
    std::unique_ptr<Node> index;  // index
    size_t offset = 0;
};

struct Node {
    NodeKind kind = NodeKind::literal;
    size_t offset = 0;
    int depth = 1;  // height of the subtree, checked against max_depth while parsing

    json value;                                   // literal
    std::string name;                             // context name as written; function name (canonical)
    CompareOp op = CompareOp::eq;                 // compare
    Function function = Function::success;        // call
    std::vector<std::unique_ptr<Node>> children;  // operands, call arguments, or the access base
    std::vector<Accessor> accessors;              // access: applied to children[0], left to right
};

}  // namespace flowctl::expr
