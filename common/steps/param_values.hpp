#pragma once
// Reading a step's rendered parameters with type checks at run time: the validator checked
// the YAML, but `${{ }}` templates can still produce a value of another type.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "steps/step.hpp"

namespace flowctl::steps::params {

/// A parameter has the wrong type or an invalid value; run() turns it into a failed step.
class ParamError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// True when the parameter is given and not null (null counts as "not given").
bool has(const json& params, std::string_view name);

std::optional<std::string> get_string(const json& params, std::string_view name);
std::string require_string(const json& params, std::string_view name);
/// Accepts true/false and the strings "true"/"false".
std::optional<bool> get_bool(const json& params, std::string_view name);
/// Accepts integers, integral floats and decimal strings.
std::optional<long long> get_int(const json& params, std::string_view name);
/// A duration string ("5s", "1m30s") or a number of seconds (may be fractional).
std::optional<std::chrono::milliseconds> get_duration(const json& params, std::string_view name);
/// The parameter when it is an object; ParamError when it is something else.
const json* get_object(const json& params, std::string_view name);

/// A JSON value as text: strings as they are, anything else as compact JSON.
std::string to_text(const json& value);

/// The bytes with invalid UTF-8 replaced by U+FFFD, so that JSON holding them can be dumped.
std::string utf8_safe(const std::string& bytes);

/// Milliseconds left until the step's deadline (0 once passed); nullopt without a deadline.
std::optional<std::chrono::milliseconds> time_left(const StepContext& ctx);

StepResult failure(std::string error, Outcome outcome = Outcome::failed);

/// Builds a ParamSpec field by field (designated initializers that leave fields out make
/// GCC warn with -Wextra).
class Spec {
public:
    Spec(std::string name, std::string type, std::string description) {
        m_spec.name = std::move(name);
        m_spec.type = std::move(type);
        m_spec.description = std::move(description);
    }
    Spec& required() {
        m_spec.required = true;
        return *this;
    }
    Spec& one_of(std::vector<std::string> values) {
        m_spec.enum_values = std::move(values);
        return *this;
    }
    Spec& default_to(json value) {
        m_spec.default_value = std::move(value);
        return *this;
    }
    operator ParamSpec() const { return m_spec; }

private:
    ParamSpec m_spec;
};

/// Runs body(), turning ParamError and JSON type errors into a failed StepResult.
template <typename Body>
StepResult guarded(Body&& body) {
    try {
        return body();
    } catch (const ParamError& e) {
        return failure(e.what());
    } catch (const json::exception& e) {
        return failure(std::string("invalid parameter: ") + e.what());
    } catch (const std::exception& e) {  // e.g. std::filesystem errors, std::bad_alloc
        return failure(e.what());
    }
}

}  // namespace flowctl::steps::params
