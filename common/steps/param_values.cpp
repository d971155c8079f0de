#include "steps/param_values.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "util/duration.hpp"

namespace flowctl::steps::params {
namespace {

const json* find(const json& params, std::string_view name) {
    if (!params.is_object()) {
        return nullptr;
    }
    auto it = params.find(name);
    if (it == params.end() || it->is_null()) {
        return nullptr;
    }
    return &*it;
}

[[noreturn]] void wrong_type(std::string_view name, std::string_view expected, const json& got) {
    throw ParamError("parameter '" + std::string(name) + "' must be " + std::string(expected) + ", got " +
                     got.type_name() + " " + got.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

bool has(const json& params, std::string_view name) { return find(params, name) != nullptr; }

std::optional<std::string> get_string(const json& params, std::string_view name) {
    const json* v = find(params, name);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (!v->is_string()) {
        wrong_type(name, "a string", *v);
    }
    return v->get<std::string>();
}

std::string require_string(const json& params, std::string_view name) {
    auto value = get_string(params, name);
    if (!value) {
        throw ParamError("parameter '" + std::string(name) + "' is required");
    }
    return *value;
}

std::optional<bool> get_bool(const json& params, std::string_view name) {
    const json* v = find(params, name);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_boolean()) {
        return v->get<bool>();
    }
    if (v->is_string()) {
        const auto& s = v->get_ref<const std::string&>();
        if (s == "true") {
            return true;
        }
        if (s == "false") {
            return false;
        }
    }
    wrong_type(name, "true or false", *v);
}

std::optional<long long> get_int(const json& params, std::string_view name) {
    const json* v = find(params, name);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_number_integer()) {
        return v->get<long long>();
    }
    if (v->is_number_float()) {
        double d = v->get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
            return static_cast<long long>(d);
        }
    }
    if (v->is_string()) {
        const auto& s = v->get_ref<const std::string&>();
        long long out = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) {
            return out;
        }
    }
    wrong_type(name, "an integer", *v);
}

std::optional<std::chrono::milliseconds> get_duration(const json& params, std::string_view name) {
    const json* v = find(params, name);
    if (v == nullptr) {
        return std::nullopt;
    }
    if (v->is_number()) {
        double seconds = v->get<double>();
        if (std::isfinite(seconds) && seconds >= 0 && seconds < 1e12) {
            return std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000)));
        }
    } else if (v->is_string()) {
        if (auto d = util::parse_duration(v->get_ref<const std::string&>())) {
            return *d;
        }
    }
    wrong_type(name, "a duration such as \"5s\" or a number of seconds", *v);
}

const json* get_object(const json& params, std::string_view name) {
    const json* v = find(params, name);
    if (v != nullptr && !v->is_object()) {
        wrong_type(name, "an object", *v);
    }
    return v;
}

std::string to_text(const json& value) {
    if (value.is_string()) {
        return value.get<std::string>();
    }
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string utf8_safe(const std::string& bytes) {
    // nlohmann's dump() does the validation; parsing its output back gives the clean string.
    return json::parse(json(bytes).dump(-1, ' ', false, json::error_handler_t::replace)).get<std::string>();
}

std::optional<std::chrono::milliseconds> time_left(const StepContext& ctx) {
    if (!ctx.deadline) {
        return std::nullopt;
    }
    // Rounded up: a wait that ends before the deadline would report a timeout that the
    // engine, looking at the clock, does not see yet.
    auto left = std::chrono::ceil<std::chrono::milliseconds>(*ctx.deadline - std::chrono::steady_clock::now());
    return std::max(left, std::chrono::milliseconds(0));
}

StepResult failure(std::string error, Outcome outcome) {
    StepResult r;
    r.outcome = outcome;
    r.error = std::move(error);
    r.output = nullptr;
    return r;
}

}  // namespace flowctl::steps::params
