#pragma once
// TCP authentication: the token a request presents and what it grants.
#include <httplib.h>

#include <string>

#include "http/server.hpp"

namespace flowctl::daemon {

/// The token from `Authorization: Bearer TOKEN` or `X-API-Key: TOKEN`; empty when none.
std::string presented_token(const httplib::Request& req);

struct Grant {
    Scope scope = Scope::none;
    std::string token_id;
};

/// Looks the request's token up; throws ApiError 401 when it has none or an unknown one.
Grant authenticate(const httplib::Request& req, const TokenLookup& tokens);

}  // namespace flowctl::daemon
