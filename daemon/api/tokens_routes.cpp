// /api/v1/tokens: API tokens. Only the SHA-256 of a secret is kept; the secret is shown once.
#include <algorithm>
#include <stdexcept>

#include "api/api_json.hpp"
#include "api/route_groups.hpp"
#include "api/token_secret.hpp"
#include "http/api_error.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

json token_json(const store::TokenRecord& t) {
    return {{"id", t.id},
            {"name", t.name},
            {"scope", t.scope},
            {"created_at", time_or_null(t.created_ms)},
            {"last_used_at", time_or_null(t.last_used_ms)}};
}

void create_token(Services& s, Request& req, httplib::Response& res) {
    const json body = req.body({{"name", JsonType::string}, {"scope", JsonType::string}}, {"name", "scope"});
    store::TokenRecord t;
    t.name = body["name"].get<std::string>();
    t.scope = body["scope"].get<std::string>();
    if (t.name.empty()) throw invalid("name must not be empty", {{"field", "name"}});
    try {
        parse_scope(t.scope);
    } catch (const std::invalid_argument&) {
        throw invalid("scope must be read, execute or admin, got '" + t.scope + "'", {{"field", "scope"}});
    }
    auto& store = s.stores.local();
    const auto active = store.list_tokens();
    if (std::any_of(active.begin(), active.end(), [&](const auto& other) { return other.name == t.name; }))
        throw conflict("a token named '" + t.name + "' already exists");
    const std::string secret = new_token_secret();
    t.id = new_token_id();
    t.hash = util::sha256_hex(secret);
    t.created_ms = util::now_ms();
    store.insert_token(t);
    reply(res, 201, {{"token", token_json(t)}, {"secret", secret}});
}

void revoke_token(Services& s, Request& req, httplib::Response& res) {
    const std::string& id_or_name = req.path_params.at("id");
    auto& store = s.stores.local();
    const auto active = store.list_tokens();
    auto it = std::find_if(active.begin(), active.end(), [&](const auto& t) { return t.id == id_or_name; });
    if (it == active.end())
        it = std::find_if(active.begin(), active.end(), [&](const auto& t) { return t.name == id_or_name; });
    if (it == active.end() || !store.revoke_token(it->id, util::now_ms()))
        throw not_found("no token '" + id_or_name + "'");
    reply(res, 200, {{"revoked", it->id}});
}

}  // namespace

void add_tokens_routes(Router& router, Services& s) {
    router.add({"GET", "/api/v1/tokens", Scope::admin, [&s](Request&, auto& res) {
                    json tokens = json::array();
                    for (const auto& t : s.stores.local().list_tokens()) tokens.push_back(token_json(t));
                    reply(res, 200, {{"tokens", tokens}});
                }});
    router.add({"POST", "/api/v1/tokens", Scope::admin, [&s](Request& req, auto& res) { create_token(s, req, res); }});
    router.add(
        {"DELETE", "/api/v1/tokens/{id}", Scope::admin, [&s](Request& req, auto& res) { revoke_token(s, req, res); }});
}

}  // namespace flowctl::daemon
