#include "http/api_error.hpp"

namespace flowctl::daemon {

json error_body(int /*status*/, const std::string& code, const std::string& message, const json& details,
                const std::string& request_id) {
    return {
        {"error", {{"code", code}, {"message", message}, {"details", details.is_null() ? json::object() : details}}},
        {"request_id", request_id}};
}

}  // namespace flowctl::daemon
