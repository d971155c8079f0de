#include "flow/params.hpp"

#include <sstream>

#include "util/duration.hpp"

namespace flowctl::flow::detail {

namespace {

std::vector<std::string> split_types(const std::string& type) {
    std::vector<std::string> out;
    std::stringstream in(type);
    for (std::string part; std::getline(in, part, '|');)
        if (!part.empty()) out.push_back(part);
    return out;
}

bool matches(const std::string& type, const json& v) {
    if (type == "string") return v.is_string();
    if (type == "number") return v.is_number();
    if (type == "integer") return v.is_number_integer();
    if (type == "boolean") return v.is_boolean();
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "null") return v.is_null();
    if (type == "duration")
        return (v.is_string() && util::parse_duration(v.get<std::string>())) || (v.is_number() && v.get<double>() >= 0);
    return true;  // "any" or a type this version does not know: accept
}

std::string type_phrase(const std::string& type) {
    if (type == "string") return "a string";
    if (type == "number") return "a number";
    if (type == "integer") return "an integer";
    if (type == "boolean") return "true or false";
    if (type == "object") return "a mapping";
    if (type == "array") return "a list";
    if (type == "null") return "null";
    if (type == "duration") return "a duration (e.g. 30s, 5m, 1h30m)";
    return type;
}

std::string types_phrase(const std::vector<std::string>& types) {
    std::string out;
    for (size_t i = 0; i < types.size(); ++i) {
        if (i > 0) out += i + 1 == types.size() ? " or " : ", ";
        out += type_phrase(types[i]);
    }
    return out;
}

const steps::ParamSpec* find_param(const steps::StepSchema& schema, const std::string& name) {
    for (const auto& p : schema.params)
        if (p.name == name) return &p;
    return nullptr;
}

std::vector<std::string> param_names(const steps::StepSchema& schema) {
    std::vector<std::string> out;
    for (const auto& p : schema.params) out.push_back(p.name);
    return out;
}

bool is_template(const json& v) {
    return v.is_string() && v.get_ref<const std::string&>().find("${{") != std::string::npos;
}

/// Checks (and for string parameters, converts) one value.
void check_value(Loader& loader, const steps::ParamSpec& spec, NodeId node, json& value) {
    if (is_template(value) || spec.type.empty()) return;
    const YTree& t = loader.tree;
    auto types = split_types(spec.type);
    bool ok = std::any_of(types.begin(), types.end(), [&](const std::string& type) { return matches(type, value); });
    bool wants_string = std::find(types.begin(), types.end(), "string") != types.end();
    if (!ok && wants_string && t.is_scalar(node) && (value.is_number() || value.is_boolean())) {
        value = t[node].value;  // `log: 42` means the text as written
        ok = true;
    }
    if (!ok) {
        bool duration_only = types.size() == 1 && types[0] == "duration";
        if (duration_only && value.is_string())
            loader.error(node, invalid_duration_message(value.get<std::string>()));
        else
            loader.error(node,
                         "parameter '" + spec.name + "' must be " + types_phrase(types) + ", got " + t.describe(node));
        return;
    }
    if (!spec.enum_values.empty() && value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        if (std::find(spec.enum_values.begin(), spec.enum_values.end(), text) == spec.enum_values.end()) {
            std::string message =
                "parameter '" + spec.name + "' must be one of " + join(spec.enum_values) + ", got '" + text + "'";
            if (auto guess = suggest(text, spec.enum_values)) message += " (did you mean '" + *guess + "'?)";
            loader.error(node, message);
        }
    }
}

}  // namespace

void normalise_params(Loader& loader, StepDef& step, const steps::StepSchema& schema, NodeId type_key,
                      NodeId type_value, const std::vector<std::pair<NodeId, NodeId>>& siblings,
                      const std::string& label) {
    const YTree& t = loader.tree;
    struct Entry {
        NodeId key;    // where an unknown parameter is reported
        NodeId value;  // where a wrong value is reported
    };
    std::map<std::string, Entry> entries;
    step.params = json::object();

    if (t.is_map(type_value)) {
        for (size_t i = 0; i < t.pair_count(type_value); ++i) {
            const std::string& name = t.key_text(type_value, i);
            entries[name] = {t.key_at(type_value, i), t.value_at(type_value, i)};
        }
    } else if (!t.is_null(type_value)) {
        if (schema.primary.empty())
            loader.error(type_value,
                         "'" + schema.type + "' takes a mapping of parameters, got " + t.describe(type_value));
        else
            entries[schema.primary] = {type_key, type_value};
    }
    for (const auto& [key, value] : siblings) {
        const std::string& name = t[key].value;
        if (entries.count(name)) {
            loader.error(key, "parameter '" + name + "' is set both under '" + schema.type + ":' and beside it");
            continue;
        }
        entries[name] = {key, value};
    }

    for (auto& [name, entry] : entries) {
        const steps::ParamSpec* spec = find_param(schema, name);
        if (!spec) {
            std::string message = "unknown parameter '" + name + "' for " + schema.type;
            if (auto guess = suggest(name, param_names(schema))) message += " (did you mean '" + *guess + "'?)";
            loader.error(entry.key, message);
            continue;
        }
        auto value = loader.to_json(entry.value);
        if (!value) continue;
        check_value(loader, *spec, entry.value, *value);
        step.params[name] = std::move(*value);
    }
    for (const auto& p : schema.params) {
        if (p.required && !entries.count(p.name))
            loader.error(type_key, label + ": " + schema.type + " needs parameter '" + p.name + "'");
    }
}

}  // namespace flowctl::flow::detail
