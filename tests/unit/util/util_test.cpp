#include <gtest/gtest.h>

#include "util/diagnostic.hpp"
#include "util/duration.hpp"
#include "util/ids.hpp"
#include "util/spellcheck.hpp"
#include "util/time.hpp"

using namespace flowctl::util;

TEST(Duration, ParsesUnitsAndCompounds) {
    EXPECT_EQ(parse_duration("250ms")->count(), 250);
    EXPECT_EQ(parse_duration("90s")->count(), 90'000);
    EXPECT_EQ(parse_duration("1h30m")->count(), 5'400'000);
    EXPECT_EQ(parse_duration("1.5s")->count(), 1500);
    EXPECT_EQ(parse_duration("2d")->count(), 172'800'000);
    EXPECT_EQ(parse_duration("30")->count(), 30'000);  // bare number: seconds
}

TEST(Duration, RejectsGarbage) {
    for (const char* bad : {"", "abc", "5 parsecs", "-1s", "1x", "s", ".", "1h30", "9999999999999999999d"})
        EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(Duration, FormatsCompactly) {
    EXPECT_EQ(format_duration(Millis(250)), "250ms");
    EXPECT_EQ(format_duration(Millis(2500)), "2.5s");
    EXPECT_EQ(format_duration(Millis(5'400'000)), "1h30m");
}

TEST(Time, Rfc3339RoundTrip) {
    int64_t t = 1'795'000'000'123;
    auto s = format_rfc3339(t);
    EXPECT_EQ(s.back(), 'Z');
    EXPECT_EQ(parse_time(s, 0), t);
    EXPECT_EQ(parse_time("2026-11-28T10:00:00+01:00", 0), parse_time("2026-11-28T09:00:00Z", 0));
    EXPECT_EQ(parse_time("1h", 10'000'000), 10'000'000 - 3'600'000);
    EXPECT_FALSE(parse_time("yesterday-ish", 0));
}

TEST(Spellcheck, SuggestsCloseWords) {
    std::vector<std::string> keys{"needs", "timeout", "retry", "continue_on_error"};
    EXPECT_EQ(did_you_mean("neds", keys), "needs");
    EXPECT_EQ(did_you_mean("timout", keys), "timeout");
    EXPECT_FALSE(did_you_mean("banana", keys));
}

TEST(Ids, SortByTimeAndAreUnique) {
    auto a = new_execution_id(1000), b = new_execution_id(2000), c = new_execution_id(2000);
    EXPECT_EQ(a.size(), 16u);
    EXPECT_LT(a, b);
    EXPECT_NE(b, c);
}

TEST(Sha256, KnownVectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex(std::string(1000, 'a')).substr(0, 8), "41edece4");
}

TEST(Diagnostic, FormatsFileLineCol) {
    EXPECT_EQ(format_diagnostic({"f.yaml", 3, 7, Severity::error, "bad"}), "f.yaml:3:7: error: bad");
    EXPECT_EQ(format_diagnostic({"f.yaml", 0, 0, Severity::warning, "meh"}), "f.yaml: warning: meh");
}
