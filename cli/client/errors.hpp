#pragma once
// What can go wrong talking to flowd, as exceptions the front end maps to exit codes.
#include <stdexcept>
#include <string>

#include "util/json.hpp"

namespace flowctl::cli::client {

/// Nobody accepted the connection: the socket file is missing (ENOENT), stale (ECONNREFUSED), or
/// the TCP address refused or could not be resolved. Nothing was sent.
struct Unreachable : std::runtime_error {
    Unreachable(const std::string& message, int error) : std::runtime_error(message), error(error) {}
    int error;  // errno of the failed connect (0 for a name that did not resolve)
};

/// The connection broke, timed out or carried something that is not HTTP/1.1.
struct TransportError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// A response with status >= 400; its body {"error": {code, message, details}} parsed.
struct ApiError : std::runtime_error {
    ApiError(int status, std::string code, const std::string& message, json details, std::string request_id)
        : std::runtime_error(message),
          status(status),
          code(std::move(code)),
          details(std::move(details)),
          request_id(std::move(request_id)) {}
    int status;
    std::string code;  // "not_found", "invalid", ... ("http_STATUS" when the body had none)
    json details;      // an object (empty when none)
    std::string request_id;
};

/// Builds the ApiError for a failed response. A body that is not the API's error shape still
/// gives a readable message (its first line, or the status).
ApiError make_api_error(int status, const std::string& body, const std::string& request_id);

}  // namespace flowctl::cli::client
