#include "client/errors.hpp"

namespace flowctl::cli::client {

ApiError make_api_error(int status, const std::string& body, const std::string& request_id) {
    json parsed = json::parse(body, nullptr, false);
    if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
        const json& e = parsed["error"];
        std::string code = e.value("code", "");
        std::string message = e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
        json details = e.contains("details") && e["details"].is_object() ? e["details"] : json::object();
        std::string id = parsed.contains("request_id") && parsed["request_id"].is_string()
                             ? parsed["request_id"].get<std::string>()
                             : request_id;
        if (code.empty()) code = "http_" + std::to_string(status);
        if (message.empty()) message = "the daemon answered " + std::to_string(status) + " (" + code + ")";
        return ApiError(status, code, message, details, id);
    }
    std::string first_line = body.substr(0, body.find('\n'));
    if (first_line.size() > 200) first_line.resize(200);
    std::string message = "the daemon answered " + std::to_string(status);
    if (!first_line.empty()) message += ": " + first_line;
    return ApiError(status, "http_" + std::to_string(status), message, json::object(), request_id);
}

}  // namespace flowctl::cli::client
