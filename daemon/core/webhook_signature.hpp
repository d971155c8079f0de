#pragma once
// Webhook signatures: `X-Signature-256: sha256=<hex>` is HMAC-SHA256(secret, message), where the
// message is the raw body, or "<timestamp>.<body>" when the hook sets a replay `tolerance` (then
// `X-Timestamp` carries the unix seconds, like Stripe's and Slack's schemes). Comparisons are
// constant-time so that the answer's timing tells nothing about how much of a guess was right.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flowctl::daemon {

/// HMAC-SHA256 of `message` under `key` (any length), as 64 lower-case hex digits.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

/// Equality without an early exit (sodium_memcmp); strings of different lengths are unequal.
bool constant_time_equal(std::string_view a, std::string_view b);

/// What the signed message is: the body, or "<timestamp>.<body>" when a timestamp is used.
std::string signed_message(std::string_view timestamp, std::string_view body);

struct SignedRequest {
    std::string_view secret;
    std::string_view body;
    std::string_view signature_header;  // X-Signature-256 ("" when absent)
    std::string_view timestamp_header;  // X-Timestamp ("" when absent)
    /// With a value, the timestamp is required, signed, and must be within this of now.
    std::optional<std::chrono::seconds> tolerance;
    int64_t now_s = 0;  // unix seconds
};

/// Why the request's signature does not hold (missing, malformed, wrong, stale timestamp),
/// or nullopt when it does.
std::optional<std::string> signature_problem(const SignedRequest& request);

}  // namespace flowctl::daemon
