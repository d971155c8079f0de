#pragma once
// New API token secrets and ids, from the kernel's random source.
#include <string>

namespace flowctl::daemon {

/// "flw_" + 43 base64url characters (32 random bytes, no padding).
std::string new_token_secret();
/// "tok_" + 12 hex digits.
std::string new_token_id();

}  // namespace flowctl::daemon
