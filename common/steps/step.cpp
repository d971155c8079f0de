// The free functions of step.hpp: names of levels and outcomes, and schemas as JSON Schema.
#include <algorithm>
#include <cctype>

#include "steps/step.hpp"

namespace flowctl::steps {

std::string_view to_string(LogLevel level) {
    switch (level) {
        case LogLevel::debug:
            return "debug";
        case LogLevel::info:
            return "info";
        case LogLevel::warn:
            return "warn";
        case LogLevel::error:
            return "error";
    }
    return "info";
}

std::optional<LogLevel> parse_log_level(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "debug") return LogLevel::debug;
    if (lower == "info") return LogLevel::info;
    if (lower == "warn" || lower == "warning") return LogLevel::warn;
    if (lower == "error") return LogLevel::error;
    return std::nullopt;
}

std::string_view to_string(Outcome outcome) {
    switch (outcome) {
        case Outcome::succeeded:
            return "succeeded";
        case Outcome::failed:
            return "failed";
        case Outcome::timed_out:
            return "timed_out";
        case Outcome::cancelled:
            return "cancelled";
    }
    return "failed";
}

namespace {

constexpr std::string_view duration_note = "a duration such as \"30s\", \"1m30s\" or \"250ms\", or a number of seconds";

// One ParamSpec as a JSON Schema property.
json param_schema(const ParamSpec& p) {
    json prop = json::object();
    std::vector<std::string> types;
    bool is_duration = false;
    size_t start = 0;
    while (start <= p.type.size()) {
        size_t bar = p.type.find('|', start);
        std::string t = p.type.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
        if (t == "duration") {
            is_duration = true;
            types.push_back("string");
            types.push_back("number");
        } else if (!t.empty() && t != "any") {
            types.push_back(t);
        }
        if (bar == std::string::npos) break;
        start = bar + 1;
    }
    std::vector<std::string> unique;
    for (auto& t : types)
        if (std::find(unique.begin(), unique.end(), t) == unique.end()) unique.push_back(t);
    if (unique.size() == 1)
        prop["type"] = unique.front();
    else if (!unique.empty())
        prop["type"] = unique;

    std::string description = p.description;
    if (is_duration)
        description =
            description.empty() ? std::string(duration_note) : description + " (" + std::string(duration_note) + ")";
    if (!description.empty()) prop["description"] = description;
    if (!p.enum_values.empty()) prop["enum"] = p.enum_values;
    if (!p.default_value.is_null()) prop["default"] = p.default_value;
    return prop;
}

}  // namespace

json to_json_schema(const StepSchema& schema) {
    json properties = json::object();
    json required = json::array();
    for (const auto& p : schema.params) {
        properties[p.name] = param_schema(p);
        if (p.required) required.push_back(p.name);
    }
    return json{
        {"$schema", "https://json-schema.org/draft/2020-12/schema"},
        {"title", schema.type},
        {"description", schema.summary},
        {"type", "object"},
        {"properties", properties},
        {"required", required},
        {"additionalProperties", false},
    };
}

}  // namespace flowctl::steps
