#include "http/router.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

#include "http/api_error.hpp"
#include "util/spellcheck.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

Scope parse_scope(std::string_view text) {
    if (text == "read") return Scope::read;
    if (text == "execute") return Scope::execute;
    if (text == "admin") return Scope::admin;
    throw std::invalid_argument("unknown scope '" + std::string(text) + "' (expected read, execute or admin)");
}

std::string_view scope_name(Scope s) {
    switch (s) {
        case Scope::none:
            return "none";
        case Scope::read:
            return "read";
        case Scope::execute:
            return "execute";
        case Scope::admin:
            return "admin";
    }
    return "none";
}

namespace {

std::string_view type_name(JsonType t) {
    switch (t) {
        case JsonType::string:
            return "a string";
        case JsonType::integer:
            return "an integer";
        case JsonType::number:
            return "a number";
        case JsonType::boolean:
            return "a boolean";
        case JsonType::object:
            return "an object";
        case JsonType::array:
            return "an array";
        case JsonType::any:
            return "any value";
    }
    return "any value";
}

bool has_type(const json& v, JsonType t) {
    switch (t) {
        case JsonType::string:
            return v.is_string();
        case JsonType::integer:
            return v.is_number_integer();
        case JsonType::number:
            return v.is_number();
        case JsonType::boolean:
            return v.is_boolean();
        case JsonType::object:
            return v.is_object();
        case JsonType::array:
            return v.is_array();
        case JsonType::any:
            return true;
    }
    return false;
}

bool only_whitespace(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

}  // namespace

json Request::body(std::initializer_list<std::pair<std::string_view, JsonType>> allowed,
                   std::initializer_list<std::string_view> required) const {
    json parsed = json::object();
    if (!only_whitespace(http.body)) {
        try {
            parsed = json::parse(http.body);
        } catch (const json::parse_error& e) {
            throw bad_request(std::string("malformed JSON body: ") + e.what());
        }
        if (!parsed.is_object()) throw bad_request("the request body must be a JSON object");
    }

    std::vector<std::string> known;
    for (const auto& [name, type] : allowed) known.emplace_back(name);

    json result = json::object();
    for (auto& [key, value] : parsed.items()) {
        const std::pair<std::string_view, JsonType>* spec = nullptr;
        for (const auto& a : allowed)
            if (a.first == key) spec = &a;
        if (!spec) {
            std::string message = "unknown field '" + key + "'";
            json details = {{"field", key}};
            if (auto guess = util::did_you_mean(key, known)) {
                message += " (did you mean '" + *guess + "'?)";
                details["did_you_mean"] = *guess;
            }
            throw invalid(message, details);
        }
        bool is_required = false;
        for (auto r : required) is_required = is_required || r == key;
        // A null optional field means "not given": handlers then see it absent.
        if (value.is_null() && !is_required) continue;
        if (!has_type(value, spec->second)) {
            throw invalid("field '" + key + "' must be " + std::string(type_name(spec->second)),
                          {{"field", key}, {"expected", std::string(type_name(spec->second))}});
        }
        result[key] = std::move(value);
    }
    for (auto r : required) {
        if (!result.contains(std::string(r))) {
            throw invalid("missing field '" + std::string(r) + "'", {{"field", std::string(r)}});
        }
    }
    return result;
}

std::optional<std::string> Request::query(const std::string& name) const {
    if (!http.has_param(name)) return std::nullopt;
    auto value = http.get_param_value(name);
    if (value.empty()) return std::nullopt;  // "?tag=" is the same as no tag filter
    return value;
}

int64_t Request::query_int(const std::string& name, int64_t fallback, int64_t min, int64_t max) const {
    auto text = query(name);
    if (!text) return fallback;
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size()) {
        throw bad_request("query parameter '" + name + "' must be an integer, not '" + *text + "'",
                          {{"parameter", name}});
    }
    if (value < min || value > max) {
        throw bad_request(
            "query parameter '" + name + "' must be between " + std::to_string(min) + " and " + std::to_string(max),
            {{"parameter", name}});
    }
    return value;
}

bool Request::query_bool(const std::string& name, bool fallback) const {
    auto text = query(name);
    if (!text) return fallback;
    if (*text == "1" || *text == "true") return true;
    if (*text == "0" || *text == "false") return false;
    throw bad_request("query parameter '" + name + "' must be true or false, not '" + *text + "'",
                      {{"parameter", name}});
}

std::optional<int64_t> Request::query_time(const std::string& name) const {
    auto text = query(name);
    if (!text) return std::nullopt;
    auto ms = util::parse_time(*text, util::now_ms());
    if (!ms) {
        throw bad_request(
            "query parameter '" + name + "' must be an RFC 3339 time or a duration like 1h, not '" + *text + "'",
            {{"parameter", name}});
    }
    return ms;
}

void reply(httplib::Response& res, int status, const json& body) {
    res.status = status;
    // Replacing invalid UTF-8 (a step's binary output) keeps the reply from throwing.
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

}  // namespace flowctl::daemon
