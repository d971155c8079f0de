#include "http/error_codes.hpp"

namespace flowctl::daemon {

std::string_view error_code_for_status(int status) {
    switch (status) {
        case 400:
            return "bad_request";
        case 401:
            return "unauthorized";
        case 403:
            return "forbidden";
        case 404:
            return "not_found";
        case 405:
            return "method_not_allowed";
        case 409:
            return "conflict";
        case 413:
            return "payload_too_large";
        case 414:
            return "uri_too_long";
        case 416:
            return "range_not_satisfiable";
        case 422:
            return "invalid";
        case 429:
            return "too_many_requests";
        case 503:
            return "unavailable";
        default:
            return status >= 500 ? "internal" : "bad_request";
    }
}

std::string default_error_message(int status) {
    switch (status) {
        case 400:
            return "malformed HTTP request";
        case 404:
            return "no such route";
        case 413:
            return "request body too large";
        case 414:
            return "request URI too long";
        case 416:
            return "bad Range header";
        case 503:
            return "the daemon is not available";
        default:
            return status >= 500 ? "internal error" : "request failed with status " + std::to_string(status);
    }
}

}  // namespace flowctl::daemon
