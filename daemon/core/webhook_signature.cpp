#include "core/webhook_signature.hpp"

#include <sodium.h>

#include <array>
#include <charconv>
#include <stdexcept>

namespace flowctl::daemon {

namespace {

using Digest = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

void ensure_sodium() {
    static const int ready = sodium_init();
    if (ready < 0) throw std::runtime_error("libsodium could not be initialised");
}

Digest hmac_sha256(std::string_view key, std::string_view message) {
    ensure_sodium();
    crypto_auth_hmacsha256_state state;
    Digest out{};
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
    crypto_auth_hmacsha256_final(&state, out.data());
    sodium_memzero(&state, sizeof state);
    return out;
}

/// The digest a "sha256=<hex>" header carries, when it is well formed.
std::optional<Digest> parse_signature(std::string_view header) {
    constexpr std::string_view prefix = "sha256=";
    if (header.substr(0, prefix.size()) != prefix) return std::nullopt;
    const std::string_view hex = header.substr(prefix.size());
    if (hex.size() != 2 * crypto_auth_hmacsha256_BYTES) return std::nullopt;
    Digest out{};
    size_t len = 0;
    const char* end = nullptr;
    if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 || len != out.size() ||
        end != hex.data() + hex.size()) {
        return std::nullopt;
    }
    return out;
}

std::optional<int64_t> parse_unix_seconds(std::string_view text) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
    return value;
}

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
    const Digest digest = hmac_sha256(key, message);
    std::string hex(2 * digest.size() + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    hex.pop_back();
    return hex;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    ensure_sodium();
    if (a.size() != b.size()) return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string signed_message(std::string_view timestamp, std::string_view body) {
    if (timestamp.empty()) return std::string(body);
    std::string out;
    out.reserve(timestamp.size() + 1 + body.size());
    out.append(timestamp).append(".").append(body);
    return out;
}

std::optional<std::string> signature_problem(const SignedRequest& request) {
    if (request.signature_header.empty()) return "missing X-Signature-256 header";
    const auto given = parse_signature(request.signature_header);
    if (!given) return "X-Signature-256 must be 'sha256=' followed by 64 hex digits";
    std::string_view timestamp;
    if (request.tolerance) {
        if (request.timestamp_header.empty()) return "missing X-Timestamp header";
        const auto seconds = parse_unix_seconds(request.timestamp_header);
        if (!seconds) return "X-Timestamp must be unix seconds";
        const int64_t skew = *seconds > request.now_s ? *seconds - request.now_s : request.now_s - *seconds;
        if (skew > request.tolerance->count())
            return "X-Timestamp is " + std::to_string(skew) + "s away from now (tolerance " +
                   std::to_string(request.tolerance->count()) + "s)";
        timestamp = request.timestamp_header;
    }
    const Digest expected = hmac_sha256(request.secret, signed_message(timestamp, request.body));
    const std::string_view expected_view(reinterpret_cast<const char*>(expected.data()), expected.size());
    const std::string_view given_view(reinterpret_cast<const char*>(given->data()), given->size());
    if (!constant_time_equal(expected_view, given_view)) return "signature does not match";
    return std::nullopt;
}

}  // namespace flowctl::daemon
