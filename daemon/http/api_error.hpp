#pragma once
// The one error format of the API:
//   {"error": {"code": "...", "message": "...", "details": {...}}, "request_id": "..."}
// Handlers and the core throw ApiError; the server turns it (and anything else) into that body.
#include <stdexcept>
#include <string>

#include "util/json.hpp"

namespace flowctl::daemon {

struct ApiError : std::runtime_error {
    ApiError(int status, std::string code, const std::string& message, json details = json::object())
        : std::runtime_error(message), status(status), code(std::move(code)), details(std::move(details)) {}
    int status;        // 400 401 403 404 409 413 422 429 500 503
    std::string code;  // machine-readable: bad_request, unauthorized, forbidden, not_found, conflict,
                       // payload_too_large, invalid, too_many_requests, internal, unavailable
    json details;
};

inline ApiError bad_request(const std::string& message, json details = json::object()) {
    return {400, "bad_request", message, std::move(details)};
}
inline ApiError not_found(const std::string& message) { return {404, "not_found", message}; }
inline ApiError conflict(const std::string& message, json details = json::object()) {
    return {409, "conflict", message, std::move(details)};
}
inline ApiError invalid(const std::string& message, json details = json::object()) {
    return {422, "invalid", message, std::move(details)};
}
inline ApiError unavailable(const std::string& message) { return {503, "unavailable", message}; }

/// The error body for a status, code and message.
json error_body(int status, const std::string& code, const std::string& message, const json& details,
                const std::string& request_id);

}  // namespace flowctl::daemon
