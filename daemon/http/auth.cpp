#include "http/auth.hpp"

#include <cctype>
#include <stdexcept>

#include "http/api_error.hpp"
#include "util/ids.hpp"

namespace flowctl::daemon {

namespace {
std::string trim(std::string s) {
    auto begin = s.find_first_not_of(" \t");
    auto end = s.find_last_not_of(" \t");
    return begin == std::string::npos ? std::string() : s.substr(begin, end - begin + 1);
}

bool starts_with_ignoring_case(const std::string& s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    }
    return true;
}
}  // namespace

std::string presented_token(const httplib::Request& req) {
    if (req.has_header("Authorization")) {
        auto value = trim(req.get_header_value("Authorization"));
        if (starts_with_ignoring_case(value, "bearer ")) return trim(value.substr(7));
    }
    if (req.has_header("X-API-Key")) return trim(req.get_header_value("X-API-Key"));
    return {};
}

Grant authenticate(const httplib::Request& req, const TokenLookup& tokens) {
    auto token = presented_token(req);
    if (token.empty()) {
        throw ApiError(401, "unauthorized", "a token is required: send Authorization: Bearer TOKEN or X-API-Key");
    }
    auto record = tokens ? tokens(util::sha256_hex(token)) : std::nullopt;
    if (!record) throw ApiError(401, "unauthorized", "unknown or revoked token");
    Grant grant{Scope::none, record->id};
    try {
        grant.scope = parse_scope(record->scope);
    } catch (const std::invalid_argument&) {
        grant.scope = Scope::none;  // a token with a scope we do not know grants nothing
    }
    return grant;
}

}  // namespace flowctl::daemon
