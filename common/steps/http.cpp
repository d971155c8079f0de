// `http`: one HTTP request with libcurl (loaded on first use), on the step's own thread.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>

#include "steps/curl_api.hpp"
#include "steps/http_transfer.hpp"
#include "steps/param_values.hpp"
#include "steps/types.hpp"

namespace flowctl::steps {
namespace {

using http::Body;
using http::Headers;
using http::headers_to_json;
using http::iequals;
using http::on_body;
using http::on_header;
using http::Transfer;
using http::trim;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::string_view any_json = "string|number|boolean|object|array|null";

/// Appends `name=value` pairs for an object; arrays repeat the name, null values are left out.
void append_pairs(const Transfer& t, const json& object, std::string& out) {
    auto add = [&](const std::string& name, const json& value) {
        if (value.is_null()) {
            return;
        }
        if (!out.empty() && out.back() != '?' && out.back() != '&') {
            out += '&';
        }
        out += t.escape(name) + "=" + t.escape(params::to_text(value));
    };
    for (const auto& [name, value] : object.items()) {
        if (value.is_array()) {
            for (const auto& item : value) {
                add(name, item);
            }
        } else {
            add(name, value);
        }
    }
}

std::string with_query(const Transfer& t, std::string url, const json& query) {
    std::string fragment;
    if (size_t hash = url.find('#'); hash != std::string::npos) {
        fragment = url.substr(hash);
        url.resize(hash);
    }
    std::string pairs;
    append_pairs(t, query, pairs);
    if (!pairs.empty()) {
        if (url.find('?') == std::string::npos) {
            url += '?';
        } else if (url.back() != '?' && url.back() != '&') {
            url += '&';
        }
        url += pairs;
    }
    return url + fragment;
}

std::vector<long> expected_statuses(const json& params) {
    if (!params::has(params, "expect_status")) {
        return {};
    }
    const json& v = params["expect_status"];
    std::vector<long> out;
    auto add = [&](const json& item) {
        if (!item.is_number_integer()) {
            throw params::ParamError(
                "parameter 'expect_status' must be an integer or a list of "
                "integers, got " +
                item.dump());
        }
        out.push_back(item.get<long>());
    };
    if (v.is_array()) {
        for (const auto& item : v) {
            add(item);
        }
    } else {
        add(v);
    }
    return out;
}

std::string body_excerpt(const std::string& body) {
    size_t n = std::min<size_t>(body.size(), 200);
    while (n > 0 && n < body.size() && (static_cast<unsigned char>(body[n]) & 0xC0) == 0x80) {
        --n;  // do not cut a UTF-8 sequence in half
    }
    return params::utf8_safe(trim(std::string_view(body).substr(0, n)));
}

StepResult run_http(StepContext& ctx, const curl::Api& api) {
    const json& p = ctx.params;
    std::string url = params::require_string(p, "url");
    int bodies = params::has(p, "json") + params::has(p, "body") + params::has(p, "form");
    if (bodies > 1) {
        return params::failure("give only one of 'json', 'body' and 'form'");
    }
    std::string method = params::get_string(p, "method").value_or(bodies ? "POST" : "GET");
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    std::vector<long> expected = expected_statuses(p);

    Transfer t(api);
    CURL* h = t.easy();
    if (h == nullptr) {
        return params::failure("could not create an HTTP request (curl_easy_init failed)");
    }
    if (const json* query = params::get_object(p, "query")) {
        url = with_query(t, url, *query);
    }

    bool has_content_type = false;
    if (const json* headers = params::get_object(p, "headers")) {
        for (const auto& [name, value] : headers->items()) {
            has_content_type = has_content_type || iequals(name, "content-type");
            std::string text = value.is_null() ? "" : params::to_text(value);
            if ((name + text).find_first_of("\r\n") != std::string::npos) {
                throw params::ParamError("header " + name + " contains a line break");
            }
            // "Name:" with nothing after it removes a header curl would add.
            t.add_header(value.is_null() ? name + ":" : name + ": " + text);
        }
    }
    if (auto token = params::get_string(p, "bearer_token")) {
        t.add_header("Authorization: Bearer " + *token);
    }

    std::string payload;
    std::string content_type;
    if (params::has(p, "json")) {
        payload = p["json"].dump(-1, ' ', false, json::error_handler_t::replace);
        content_type = "application/json";
    } else if (params::has(p, "body")) {
        payload = params::to_text(p["body"]);
        content_type = "text/plain; charset=utf-8";
    } else if (const json* form = params::get_object(p, "form")) {
        append_pairs(t, *form, payload);
        content_type = "application/x-www-form-urlencoded";
    }
    if (bodies) {
        if (!has_content_type) {
            t.add_header("Content-Type: " + content_type);
        }
        t.add_header("Expect:");  // no 1 s wait for "100 Continue" on larger bodies
    }

    Body body;
    body.cap = ctx.output_cap;
    Headers headers;
    char curl_error[CURL_ERROR_SIZE] = "";
    api.easy_setopt(h, CURLOPT_ERRORBUFFER, curl_error);  // more detail than curl_easy_strerror
    api.easy_setopt(h, CURLOPT_URL, url.c_str());
    api.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    api.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    api.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    api.easy_setopt(h, CURLOPT_USERAGENT, "flowctl");
    api.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    api.easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    api.easy_setopt(h, CURLOPT_WRITEDATA, &body);
    api.easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    api.easy_setopt(h, CURLOPT_HEADERDATA, &headers);
    api.easy_setopt(h, CURLOPT_FOLLOWLOCATION, params::get_bool(p, "follow_redirects").value_or(true) ? 1L : 0L);
    api.easy_setopt(h, CURLOPT_MAXREDIRS, static_cast<long>(params::get_int(p, "max_redirects").value_or(10)));
    if (params::get_bool(p, "insecure").value_or(false)) {
        api.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        api.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (const json* auth = params::get_object(p, "basic_auth")) {
        std::string user = params::get_string(*auth, "username").value_or("");
        std::string password = params::get_string(*auth, "password").value_or("");
        api.easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
        api.easy_setopt(h, CURLOPT_USERNAME, user.c_str());  // curl copies strings
        api.easy_setopt(h, CURLOPT_PASSWORD, password.c_str());
    }
    if (method == "HEAD") {
        api.easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (!bodies && method != "POST") {
        if (method == "GET") {
            api.easy_setopt(h, CURLOPT_HTTPGET, 1L);
        } else {
            api.easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
        }
    } else {
        if (method != "POST") {  // a body makes curl send POST unless told otherwise
            api.easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
        }
        if (!bodies && !has_content_type) {
            t.add_header("Content-Type:");  // an empty POST: no form content type from curl
        }
        api.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
        api.easy_setopt(h, CURLOPT_POSTFIELDS, payload.c_str());
    }
    api.easy_setopt(h, CURLOPT_HTTPHEADER, t.headers());

    std::optional<milliseconds> timeout = params::get_duration(p, "timeout");
    if (auto left = params::time_left(ctx); left && (!timeout || *left < *timeout)) {
        timeout = *left;
    }
    if (timeout) {
        if (timeout->count() <= 0) {
            return params::failure(method + " " + url + " not started: the step's time is up", Outcome::timed_out);
        }
        api.easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout->count()));
    }

    auto started = steady_clock::now();
    std::string setup_error;
    std::optional<CURLcode> rc = t.perform(ctx.cancel, &setup_error);
    long long elapsed = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started).count();
    auto log = [&](LogLevel level, const std::string& line) {
        if (ctx.log) {
            ctx.log(level, "step", line);
        }
    };
    if (!rc) {
        log(LogLevel::info, method + " " + url + " → cancelled after " + std::to_string(elapsed) + " ms");
        return params::failure("cancelled", Outcome::cancelled);
    }
    if (*rc != CURLE_OK) {
        std::string why = !setup_error.empty()    ? setup_error
                          : curl_error[0] != '\0' ? std::string(curl_error)
                                                  : std::string(api.easy_strerror(*rc));
        log(LogLevel::warn, method + " " + url + " → " + why);
        Outcome outcome = *rc == CURLE_OPERATION_TIMEDOUT ? Outcome::timed_out : Outcome::failed;
        std::string error = *rc == CURLE_OPERATION_TIMEDOUT
                                ? method + " " + url + " timed out after " + std::to_string(elapsed) + " ms"
                                : method + " " + url + ": " + why;
        return params::failure(error, outcome);
    }

    long status = 0;
    api.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    char* effective = nullptr;
    api.easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
    std::string final_url = effective != nullptr ? effective : url;
    log(LogLevel::info, method + " " + url + " → " + std::to_string(status) + " in " + std::to_string(elapsed) + " ms");

    StepResult r;
    json parsed = nullptr;
    if (!body.truncated && !body.data.empty()) {
        parsed = json::parse(body.data, nullptr, false);
        if (parsed.is_discarded()) {
            parsed = nullptr;
        }
    }
    // Bodies are bytes: invalid UTF-8 is replaced so the outputs stay serialisable.
    json body_text = params::utf8_safe(body.data);
    r.outputs = {
        {"status", status},
        {"headers", json::parse(headers_to_json(headers).dump(-1, ' ', false, json::error_handler_t::replace))},
        {"body", body_text},
        {"json", parsed},
        {"url", final_url},
        {"duration_ms", elapsed},
        {"truncated", body.truncated},
    };
    r.output = parsed.is_null() ? body_text : parsed;

    bool ok = expected.empty() ? (status >= 200 && status < 300)
                               : std::find(expected.begin(), expected.end(), status) != expected.end();
    if (!ok) {
        r.outcome = Outcome::failed;
        r.error = "HTTP " + std::to_string(status) + " from " + final_url;
        if (std::string excerpt = body_excerpt(body.data); !excerpt.empty()) {
            r.error += ": " + excerpt;
        }
    }
    return r;
}

class HttpStep final : public StepType {
public:
    const StepSchema& schema() const override {
        static const StepSchema s{
            .type = "http",
            .summary = "Make an HTTP request",
            .primary = "url",
            .params =
                {
                    params::Spec("url", "string", "The URL to request (http or https)").required(),
                    params::Spec("method", "string",
                                 "The HTTP method; POST when json, body or form is given, "
                                 "else GET")
                        .one_of({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}),
                    params::Spec("headers", "object", "Request headers, name: value"),
                    params::Spec("query", "object",
                                 "Query parameters appended to the URL (URL-encoded; a list "
                                 "repeats the name)"),
                    params::Spec("json", std::string(any_json),
                                 "A value sent as the JSON body (Content-Type: "
                                 "application/json)"),
                    params::Spec("body", "string", "A raw body (Content-Type: text/plain unless set in headers)"),
                    params::Spec("form", "object", "Fields sent as application/x-www-form-urlencoded"),
                    params::Spec("timeout", "duration",
                                 "Time limit for the whole request; the step's timeout "
                                 "applies when shorter"),
                    params::Spec("expect_status", "integer|array",
                                 "The status code(s) that count as success; any 2xx when not "
                                 "given"),
                    params::Spec("follow_redirects", "boolean", "Follow 3xx redirects").default_to(true),
                    params::Spec("max_redirects", "integer", "The most redirects followed").default_to(10),
                    params::Spec("insecure", "boolean", "Skip TLS certificate verification").default_to(false),
                    params::Spec("basic_auth", "object", "HTTP basic authentication: {username, password}"),
                    params::Spec("bearer_token", "string", "Sent as \"Authorization: Bearer TOKEN\""),
                },
            .sibling_params = {},
            .outputs =
                {
                    params::Spec("status", "integer", "The response status"),
                    params::Spec("headers", "object",
                                 "Response headers with lower-case names; repeated headers "
                                 "joined with \", \""),
                    params::Spec("body", "string", "The response body (up to the output cap)"),
                    params::Spec("json", std::string(any_json), "The body parsed as JSON, or null when it is not JSON"),
                    params::Spec("url", "string", "The final URL, after redirects"),
                    params::Spec("duration_ms", "integer", "How long the request took"),
                    params::Spec("truncated", "boolean", "True when the body was longer than the output cap"),
                },
            .example =
                "- id: create\n"
                "  http:\n"
                "    url: https://api.example.com/items\n"
                "    json: {name: widget}\n"
                "    bearer_token: ${{ env.API_TOKEN }}\n"
                "    expect_status: [200, 201]\n",
        };
        return s;
    }

    StepResult run(StepContext& ctx) const override {
        std::string why;
        const curl::Api* api = curl::load(&why);
        if (api == nullptr) {
            return params::failure("the http step needs libcurl (apt-get install libcurl4): " + why);
        }
        return params::guarded([&] { return run_http(ctx, *api); });
    }
};

}  // namespace

const StepType& http_step_type() {
    static const HttpStep type;
    return type;
}

}  // namespace flowctl::steps
