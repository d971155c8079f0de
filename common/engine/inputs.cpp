// resolve_inputs: checks given inputs against the flow's declarations.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/engine.hpp"
#include "util/spellcheck.hpp"

namespace flowctl::engine {
namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::optional<json> parse_number(const std::string& text) {
    std::string t = trim(text);
    if (t.empty()) return std::nullopt;
    const char* begin = t.c_str();
    char* end = nullptr;
    errno = 0;
    long long i = std::strtoll(begin, &end, 10);
    if (errno == 0 && end && *end == '\0') return json(i);
    errno = 0;
    double d = std::strtod(begin, &end);
    // strtod also accepts "inf", "nan" and hex: none of those is a number a flow wants.
    if (errno != 0 || !end || *end != '\0' || !std::isfinite(d)) return std::nullopt;
    if (t.find_first_of("xXnN") != std::string::npos) return std::nullopt;
    return json(d);
}

std::optional<json> parse_boolean(const std::string& text) {
    std::string t = lower(trim(text));
    if (t == "true" || t == "1" || t == "yes" || t == "on") return json(true);
    if (t == "false" || t == "0" || t == "no" || t == "off") return json(false);
    return std::nullopt;
}

bool matches(const std::string& type, const json& v) {
    if (type == "string") return v.is_string();
    if (type == "number") return v.is_number();
    if (type == "boolean") return v.is_boolean();
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    return true;  // an undeclared type accepts anything
}

std::string json_type_name(const json& v) {
    if (v.is_number()) return "number";
    return v.type_name();
}

/// Converts `-i key=value` text to the declared type; nullopt when it does not convert.
std::optional<json> convert_text(const std::string& type, const std::string& text) {
    if (type == "number") return parse_number(text);
    if (type == "boolean") return parse_boolean(text);
    if (type == "object" || type == "array") {
        json parsed = json::parse(text, nullptr, false);
        if (parsed.is_discarded() || !matches(type, parsed)) return std::nullopt;
        return parsed;
    }
    return json(text);
}

}  // namespace

json resolve_inputs(const flow::Flow& flow, const json& given) {
    if (!given.is_null() && !given.is_object()) throw InputError("inputs must be an object of name: value");
    std::vector<std::string> problems;
    std::vector<std::string> names;
    for (const auto& [name, spec] : flow.inputs) names.push_back(name);

    json resolved = json::object();
    if (given.is_object()) {
        for (const auto& [name, value] : given.items()) {
            auto it = flow.inputs.find(name);
            if (it == flow.inputs.end()) {
                std::string msg = "unknown input '" + name + "'";
                if (auto guess = util::did_you_mean(name, names))
                    msg += " (did you mean '" + *guess + "'?)";
                else if (names.empty())
                    msg += " (the flow declares no inputs)";
                problems.push_back(msg);
                continue;
            }
            if (value.is_null()) continue;  // same as not given
            const std::string& type = it->second.type;
            if (value.is_string() && type != "string") {
                if (auto converted = convert_text(type, value.get<std::string>())) {
                    resolved[name] = *converted;
                } else {
                    problems.push_back("input '" + name + "' must be " +
                                       (type == "array" || type == "object" ? "an " : "a ") + type + ", got '" +
                                       value.get<std::string>() + "'");
                }
                continue;
            }
            if (!matches(type, value)) {
                problems.push_back("input '" + name + "' must be " +
                                   (type == "array" || type == "object" ? "an " : "a ") + type + ", got " +
                                   json_type_name(value) + " " + value.dump());
                continue;
            }
            resolved[name] = value;
        }
    }
    for (const auto& name : names) {
        auto it = flow.inputs.find(name);
        if (it == flow.inputs.end() || resolved.contains(name)) continue;
        if (given.is_object() && given.contains(name) && !given[name].is_null()) continue;  // reported above
        const auto& spec = it->second;
        if (spec.has_default) {
            resolved[name] = spec.default_value;
        } else if (spec.required) {
            problems.push_back("missing required input '" + name + "'");
        } else {
            resolved[name] = nullptr;
        }
    }
    if (!problems.empty()) {
        std::string msg;
        for (const auto& p : problems) msg += (msg.empty() ? "" : "\n") + p;
        throw InputError(msg);
    }
    return resolved;
}

}  // namespace flowctl::engine
