#pragma once
// Shared helpers for the expression tests: parse-and-evaluate in one call.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "expr/expr.hpp"

namespace flowctl::expr::test {

/// A context like the engine builds: inputs, steps (with outputs and outcomes), env, item.
inline json sample_contexts() {
    return json::parse(R"({
      "inputs": {"name": "World", "count": 3, "flag": true, "empty": "", "list": ["a", "b", "c"],
                 "Mixed-Case": "mc", "nested": {"deep": {"value": 42}}},
      "steps": {
        "build": {"outcome": "success", "outputs": {"artifact": "app.tar", "size": "1024"}},
        "my-step": {"outcome": "failure", "outputs": {"x": "1"}},
        "test": {"outcome": "success", "outputs": {"artifact": "report.xml"}}
      },
      "env": {"HOME": "/home/me", "Path": "/bin"},
      "item": {"name": "n1", "tags": ["t1", "t2"]},
      "matrix": [{"os": "linux", "v": 1}, {"os": "mac", "v": 2}, {"os": "win"}]
    })");
}

/// Parses (failing the test on a parse error) and evaluates.
inline json eval(std::string_view source, const json& contexts = sample_contexts(), Status status = {}) {
    ParseError error;
    auto e = parse(source, &error);
    if (!e) {
        ADD_FAILURE() << "parse error in `" << source << "` at " << error.offset << ": " << error.message;
        return json();
    }
    EvalContext ctx{&contexts, status};
    return evaluate(*e, ctx);
}

/// The parse error of source, or a test failure when it parses.
inline ParseError parse_error(std::string_view source) {
    ParseError error;
    if (parse(source, &error)) ADD_FAILURE() << "expected a parse error for `" << source << "`";
    return error;
}

/// The message of the EvalError thrown by evaluating source ("" and a test failure if none).
inline std::string eval_error(std::string_view source, const json& contexts = sample_contexts()) {
    try {
        eval(source, contexts);
    } catch (const EvalError& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected an EvalError for `" << source << "`";
    return "";
}

}  // namespace flowctl::expr::test
