// libFuzzer target for the expression module: any input must parse or fail with a ParseError,
// and evaluate or fail with an EvalError. Anything else escaping (or a crash) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "expr/expr.hpp"

using namespace flowctl;
using namespace flowctl::expr;

namespace {

const json& fuzz_contexts() {
    static const json contexts = json::parse(R"({
      "inputs": {"name": "World", "count": 3, "list": ["a", "B", 1, null], "obj": {"k": {"v": [1, 2]}}},
      "steps": {"build": {"outcome": "success", "outputs": {"x": "1", "json": "{\"a\": [1]}"}},
                "my-step": {"outcome": "failure", "outputs": {}}},
      "env": {"HOME": "/home/me", "EMPTY": ""},
      "item": "it", "index": 0
    })");
    return contexts;
}

void check_offset(const ParseError& e, size_t size) {
    if (e.offset > size || e.message.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    Status status{size % 2 == 1, size % 3 == 1, size % 5 == 1};
    EvalContext ctx{&fuzz_contexts(), status};

    ParseError error;
    if (auto t = parse_template(text, &error)) {
        try {
            render(*t, ctx);
        } catch (const EvalError&) {
        }
    } else {
        check_offset(error, size);
    }

    if (auto e = parse(text, &error)) {
        references(*e);
        functions_called(*e);
        uses_status_function(*e);
        try {
            json v = evaluate(*e, ctx);
            truthy(v);
            to_string(v);
        } catch (const EvalError&) {
        }
    } else {
        check_offset(error, size);
    }

    try {
        evaluate_condition(text, ctx);
    } catch (const EvalError&) {
    }
    try {
        render_value(json{{"k", {text, 1}}}, ctx);
    } catch (const EvalError&) {
    }
    return 0;
}
