#pragma once
// The route table of /api/v1: method, path template, required scope and handler. The server
// serves it on every listener, and the OpenAPI test compares it with openapi.json.
#include <httplib.h>

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/json.hpp"

namespace flowctl::daemon {

/// What a caller may do. The Unix socket (same uid, checked) grants admin; on TCP the token's
/// scope applies. A route needing `none` is open to anyone who can connect (health, metrics).
enum class Scope { none = 0, read = 1, execute = 2, admin = 3 };
Scope parse_scope(std::string_view text);  // "read" | "execute" | "admin"; throws std::invalid_argument
std::string_view scope_name(Scope s);

enum class JsonType { string, integer, number, boolean, object, array, any };

/// One request as a handler sees it.
struct Request {
    const httplib::Request& http;
    std::map<std::string, std::string> path_params;  // {name} in the template -> its value (decoded)
    std::string request_id;                          // also sent as X-Request-Id
    Scope scope = Scope::none;                       // what the caller is allowed
    std::string token_id;                            // empty on the Unix socket

    /// The JSON body: {} when empty. 400 when it is not JSON or not an object; 422 naming the
    /// field when a field is not in `allowed` or has the wrong type, or a required one is missing.
    json body(std::initializer_list<std::pair<std::string_view, JsonType>> allowed,
              std::initializer_list<std::string_view> required = {}) const;

    std::optional<std::string> query(const std::string& name) const;
    /// Query integer in [min, max], default when absent; 400 when not an integer or out of range.
    int64_t query_int(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;
    bool query_bool(const std::string& name, bool fallback) const;  // 1/0/true/false
    /// RFC 3339 time or relative ("1h" = an hour ago) as epoch ms; 400 when unparsable.
    std::optional<int64_t> query_time(const std::string& name) const;
};

/// Writes a JSON response.
void reply(httplib::Response& res, int status, const json& body);

using Handler = std::function<void(Request&, httplib::Response&)>;

struct Route {
    std::string method;  // GET POST PUT PATCH DELETE
    std::string path;    // "/api/v1/flows/{name}" (OpenAPI template syntax)
    Scope scope = Scope::read;
    Handler handler;
};

class Router {
public:
    void add(Route route) { m_routes.push_back(std::move(route)); }
    const std::vector<Route>& routes() const { return m_routes; }

private:
    std::vector<Route> m_routes;
};

}  // namespace flowctl::daemon
