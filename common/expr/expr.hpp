#pragma once
// GitHub Actions-style expressions: `${{ expr }}` inside strings, and bare expressions in `if:`.
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.hpp"

namespace flowctl::expr {

struct Node;  // the AST, private to the module

/// A parsed expression. Cheap to copy (shares its tree).
struct Expr {
    std::shared_ptr<const Node> root;
    std::string source;
};

struct ParseError {
    size_t offset = 0;  // byte offset into the parsed text where the problem is
    std::string message;
};

/// Parses a bare expression such as `steps.build.outputs.count > 3 && success()`.
/// Never throws; nesting deeper than a fixed limit is a ParseError, not a stack overflow.
std::optional<Expr> parse(std::string_view source, ParseError* error = nullptr);

/// A property chain rooted at a context name, as written: `steps.build.outputs.x` gives
/// {"steps", "build", "outputs", "x"}; index access with a string literal counts as a property,
/// any other index ends the chain. The validator checks these against known steps and inputs.
struct Reference {
    std::vector<std::string> path;
    size_t offset = 0;  // where it starts in the source
};
std::vector<Reference> references(const Expr& e);

/// Names of functions called, e.g. {"success", "contains"}.
std::vector<std::string> functions_called(const Expr& e);

/// True when the expression calls success(), failure(), always() or cancelled().
bool uses_status_function(const Expr& e);

/// What the status functions see (computed by the engine over a step's dependencies).
/// success() = no dependency failed or was skipped, and not cancelled; failure() = a
/// dependency failed; cancelled() = the execution is being cancelled; always() = true.
struct Status {
    bool any_failed = false;   // a dependency (transitively) failed or timed out
    bool any_skipped = false;  // a dependency (transitively) was skipped or cancelled
    bool cancelled = false;    // the execution is being cancelled (Ctrl-C, flow timeout)
};

struct EvalContext {
    /// An object whose members are the contexts: inputs, steps, env, flow, execution,
    /// trigger, secrets, item, index, result. Not owned.
    const json* contexts = nullptr;
    Status status;
};

struct EvalError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Evaluates with GitHub Actions semantics (loose equality, case-insensitive string
/// comparison, && and || yielding operands, null for missing properties).
/// Throws EvalError for errors such as an unknown function or a wrong argument count.
json evaluate(const Expr& e, const EvalContext& ctx);

/// GitHub Actions truthiness: false, 0, -0, NaN, "" and null are false.
bool truthy(const json& value);

/// GitHub Actions string conversion: null -> "", booleans "true"/"false", numbers without
/// needless decimals (3, 2.5, 1e+21), arrays and objects as "Array" / "Object".
std::string to_string(const json& value);

// ---- Templates: strings that contain ${{ ... }} ----

/// A string split into literal text and expressions.
struct Template {
    struct Part {
        std::string text;  // literal text, when expr is empty
        std::optional<Expr> expr;
        size_t offset = 0;  // where the part starts in the template text
    };
    std::vector<Part> parts;
    /// True when the whole string is exactly one `${{ expr }}` (surrounding spaces allowed):
    /// rendering then yields the expression's value with its type (a list stays a list).
    bool single_expression() const;
};

/// Finds every `${{ ... }}` in text (a `}}` inside a quoted string does not close it).
/// Returns nullopt and sets error (offset into text) when one does not parse or is unclosed.
std::optional<Template> parse_template(std::string_view text, ParseError* error = nullptr);

/// True when text contains "${{".
bool has_template(std::string_view text);

/// Renders: a single expression yields its value; otherwise every expression is converted with
/// to_string() and concatenated with the literal text.
json render(const Template& t, const EvalContext& ctx);

/// Renders every string inside a JSON value (object values and array items, recursively;
/// object keys are left alone). Strings without `${{` are returned as they are.
/// Throws EvalError (with the failing expression's text in the message) on parse or eval errors.
json render_value(const json& value, const EvalContext& ctx);

/// Evaluates an `if:` condition, which may be written with or without `${{ }}`.
/// An empty condition means `success()`. A condition that uses none of the status
/// functions is combined as `success() && (condition)`, as GitHub Actions does.
bool evaluate_condition(std::string_view condition, const EvalContext& ctx);

}  // namespace flowctl::expr
