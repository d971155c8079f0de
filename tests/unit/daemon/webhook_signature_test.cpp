// Webhook signatures: HMAC-SHA256 against RFC 4231, the header format, the replay window.
#include <gtest/gtest.h>

#include <string>

#include "core/webhook_signature.hpp"

namespace flowctl::daemon::test {
namespace {

using namespace std::chrono_literals;

std::string bytes(size_t n, unsigned char value) { return std::string(n, static_cast<char>(value)); }

TEST(WebhookSignature, HmacSha256MatchesRfc4231) {
    std::string key4;
    for (int i = 1; i <= 25; ++i) key4.push_back(static_cast<char>(i));
    EXPECT_EQ(hmac_sha256_hex(bytes(20, 0x0b), "Hi There"),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");  // test case 1
    EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");  // 2: key shorter than the block
    EXPECT_EQ(hmac_sha256_hex(bytes(20, 0xaa), bytes(50, 0xdd)),
              "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");  // 3
    EXPECT_EQ(hmac_sha256_hex(key4, bytes(50, 0xcd)),
              "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");  // 4
    EXPECT_EQ(hmac_sha256_hex(bytes(131, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First"),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");  // 6: key hashed first
    EXPECT_EQ(hmac_sha256_hex(bytes(131, 0xaa),
                              "This is a test using a larger than block-size key and a larger than block-size data. "
                              "The key needs to be hashed before being used by the HMAC algorithm."),
              "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");  // 7
}

TEST(WebhookSignature, ConstantTimeEqualComparesEveryByteAndTheLength) {
    EXPECT_TRUE(constant_time_equal("", ""));
    EXPECT_TRUE(constant_time_equal("abc", "abc"));
    EXPECT_FALSE(constant_time_equal("abc", "abd"));
    EXPECT_FALSE(constant_time_equal("abc", "bbc"));
    EXPECT_FALSE(constant_time_equal("abc", "abcd"));
    EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));  // not a C-string compare
    EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
}

SignedRequest signed_body(const std::string& body, const std::string& header) {
    SignedRequest r;
    r.secret = "s3cret";
    r.body = body;
    r.signature_header = header;
    r.now_s = 1'700'000'000;
    return r;
}

TEST(WebhookSignature, TheBodySignedWithTheSecretIsAccepted) {
    const std::string body = R"({"ref":"main"})";
    const std::string header = "sha256=" + hmac_sha256_hex("s3cret", body);
    EXPECT_EQ(signature_problem(signed_body(body, header)), std::nullopt);
}

TEST(WebhookSignature, UpperCaseHexIsAccepted) {
    const std::string body = "payload";
    std::string hex = hmac_sha256_hex("s3cret", body);
    for (auto& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(signature_problem(signed_body(body, "sha256=" + hex)), std::nullopt);
}

TEST(WebhookSignature, AnythingElseIsRefusedWithAReason) {
    const std::string body = "payload";
    const std::string good = hmac_sha256_hex("s3cret", body);
    EXPECT_EQ(signature_problem(signed_body(body, "")), "missing X-Signature-256 header");
    const std::string malformed = "X-Signature-256 must be 'sha256=' followed by 64 hex digits";
    EXPECT_EQ(signature_problem(signed_body(body, good)), malformed);                        // no prefix
    EXPECT_EQ(signature_problem(signed_body(body, "sha1=" + good)), malformed);              // other algorithm
    EXPECT_EQ(signature_problem(signed_body(body, "sha256=" + good.substr(2))), malformed);  // short
    EXPECT_EQ(signature_problem(signed_body(body, "sha256=" + good + "00")), malformed);     // long
    EXPECT_EQ(signature_problem(signed_body(body, "sha256=" + good.substr(1) + "g")), malformed);
    EXPECT_EQ(signature_problem(signed_body(body, "sha256=" + hmac_sha256_hex("other", body))),
              "signature does not match");
    EXPECT_EQ(signature_problem(signed_body(body + " ", "sha256=" + good)), "signature does not match");
}

TEST(WebhookSignature, WithAToleranceTheTimestampIsSignedAndMustBeRecent) {
    const std::string body = R"({"a":1})";
    // The message is "<timestamp>.<body>" (computed independently with Python's hmac module).
    EXPECT_EQ(hmac_sha256_hex("s3cret", signed_message("1700000000", body)),
              "1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940");
    EXPECT_EQ(signed_message("", body), body);

    auto request = [&](const std::string& timestamp, int64_t now_s, const std::string& signed_ts) {
        static std::string header;  // outlives the returned view
        header = "sha256=" + hmac_sha256_hex("s3cret", signed_message(signed_ts, body));
        SignedRequest r = signed_body(body, header);
        r.timestamp_header = timestamp;
        r.tolerance = 300s;
        r.now_s = now_s;
        return signature_problem(r);
    };
    EXPECT_EQ(request("1700000000", 1'700'000'000, "1700000000"), std::nullopt);
    EXPECT_EQ(request("1700000000", 1'700'000'300, "1700000000"), std::nullopt);  // at the edge, late
    EXPECT_EQ(request("1700000000", 1'699'999'700, "1700000000"), std::nullopt);  // at the edge, early (clock skew)
    EXPECT_EQ(request("1700000000", 1'700'000'301, "1700000000"), "X-Timestamp is 301s away from now (tolerance 300s)");
    EXPECT_EQ(request("1700000000", 1'699'999'699, "1700000000"), "X-Timestamp is 301s away from now (tolerance 300s)");
    EXPECT_EQ(request("", 1'700'000'000, "1700000000"), "missing X-Timestamp header");
    EXPECT_EQ(request("17e8", 1'700'000'000, "17e8"), "X-Timestamp must be unix seconds");
    EXPECT_EQ(request("-5", 1'700'000'000, "-5"), "X-Timestamp must be unix seconds");
    // A fresh timestamp on a replayed signature: the timestamp is part of what is signed.
    EXPECT_EQ(request("1700000100", 1'700'000'100, "1700000000"), "signature does not match");
    // The body alone signed, as without a tolerance: refused.
    EXPECT_EQ(request("1700000000", 1'700'000'000, ""), "signature does not match");
}

TEST(WebhookSignature, WithoutAToleranceTheTimestampIsIgnored) {
    const std::string body = "x";
    const std::string header = "sha256=" + hmac_sha256_hex("s3cret", body);
    SignedRequest r = signed_body(body, header);
    r.timestamp_header = "1";
    EXPECT_EQ(signature_problem(r), std::nullopt);
}

}  // namespace
}  // namespace flowctl::daemon::test
