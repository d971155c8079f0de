#pragma once
// The error code and a default message for a status the server produces itself (no handler
// wrote a body: unknown route, oversized body, malformed request).
#include <string>
#include <string_view>

namespace flowctl::daemon {

std::string_view error_code_for_status(int status);
std::string default_error_message(int status);

}  // namespace flowctl::daemon
