// flowctl cron: fire times in a zone, without a daemon.
#include <filesystem>

#include "cli_fixture.hpp"

namespace flowctl::test {

// Berlin falls back on 2026-10-25: 02:00-02:59 happens twice (00:00Z-00:59Z CEST, 01:00Z-01:59Z CET).
TEST_F(CliTest, CronShowsBerlinFallBackInLocalTimeAndUtc) {
    auto r = flowctl({"cron", "30 2 * * *", "--tz", "Europe/Berlin", "--from", "2026-10-24 12:00", "-n", "3",
                      "--dst-repeat", "twice"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Europe/Berlin"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("at 02:30"), std::string::npos) << r.out;
    const auto first = r.out.find("Sun 2026-10-25 02:30:00 CEST (UTC+02:00)  2026-10-25 00:30:00 UTC");
    const auto second = r.out.find("Sun 2026-10-25 02:30:00 CET (UTC+01:00)  2026-10-25 01:30:00 UTC");
    const auto third = r.out.find("Mon 2026-10-26 02:30:00 CET (UTC+01:00)  2026-10-26 01:30:00 UTC");
    ASSERT_NE(first, std::string::npos) << r.out;
    ASSERT_NE(second, std::string::npos) << r.out;
    ASSERT_NE(third, std::string::npos) << r.out;
    EXPECT_LT(first, second);
    EXPECT_LT(second, third);
    // Only the lines of the day of the change are marked.
    auto line_of = [&](size_t at) { return r.out.substr(at, r.out.find('\n', at) - at); };
    EXPECT_NE(line_of(first).find("DST"), std::string::npos) << r.out;
    EXPECT_NE(line_of(second).find("DST"), std::string::npos) << r.out;
    EXPECT_EQ(line_of(third).find("DST"), std::string::npos) << r.out;
    EXPECT_NE(line_of(first).find("in 14h 30min"), std::string::npos) << r.out;  // from 10:00Z
    // Nothing was created: the command reads no history.
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "state" / "history.db"));
}

TEST_F(CliTest, CronJsonForBerlinSpringForward) {
    // 02:30 does not exist on 2026-03-29; with the default dst_gap (shift) it fires at 03:00 CEST.
    auto j = flowctl_json({"cron", "30 2 * * *", "--tz", "Europe/Berlin", "--from", "2026-03-28T12:00:00Z", "-n", "2"});
    EXPECT_EQ(j["expression"], "30 2 * * *");
    EXPECT_EQ(j["description"], "at 02:30");
    EXPECT_EQ(j["timezone"], "Europe/Berlin");
    ASSERT_EQ(j["next"].size(), 2u);
    EXPECT_EQ(j["next"][0]["local"], "2026-03-29T03:00:00+02:00");
    EXPECT_EQ(j["next"][0]["utc"], "2026-03-29T01:00:00Z");
    EXPECT_EQ(j["next"][0]["epoch_ms"], int64_t{1'774'746'000'000});
    EXPECT_EQ(j["next"][0]["offset"], "+02:00");
    EXPECT_EQ(j["next"][0]["dst_transition_day"], true);
    EXPECT_EQ(j["next"][1]["local"], "2026-03-30T02:30:00+02:00");
    EXPECT_EQ(j["next"][1]["dst_transition_day"], false);

    auto skipped = flowctl_json({"cron", "30 2 * * *", "--tz", "Europe/Berlin", "--from", "2026-03-28T12:00:00Z", "-n",
                                 "1", "--dst-gap", "skip"});
    EXPECT_EQ(skipped["next"][0]["local"], "2026-03-30T02:30:00+02:00");

    auto quiet =
        flowctl({"cron", "*/15 * * * *", "--tz", "Europe/Berlin", "--from", "2026-03-29 01:40", "-n", "2", "-q"});
    EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
    EXPECT_EQ(quiet.out, "2026-03-29T01:45:00+01:00\n2026-03-29T03:00:00+02:00\n");
}

TEST_F(CliTest, CronRejectsUnknownZoneAndBadExpression) {
    auto zone = flowctl({"cron", "0 9 * * *", "--tz", "Europe/Atlantis"});
    EXPECT_EQ(zone.exit_code, 2);
    EXPECT_NE(zone.err.find("Europe/Atlantis"), std::string::npos) << zone.err;
    EXPECT_TRUE(zone.out.empty()) << zone.out;

    auto expr = flowctl({"cron", "0 25 * * *", "--tz", "UTC"});
    EXPECT_EQ(expr.exit_code, 2);
    EXPECT_NE(expr.err.find("cron: "), std::string::npos) << expr.err;

    auto from = flowctl({"cron", "0 9 * * *", "--tz", "UTC", "--from", "next tuesday"});
    EXPECT_EQ(from.exit_code, 2);
    EXPECT_NE(from.err.find("--from"), std::string::npos) << from.err;
}

TEST_F(CliTest, CronThatNeverFiresSaysSo) {
    auto r = flowctl({"cron", "0 0 30 2 *", "--tz", "UTC", "--from", "2026-01-01 00:00"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("never"), std::string::npos) << r.out;
    auto j = flowctl_json({"cron", "@reboot", "--tz", "UTC"});
    EXPECT_TRUE(j["next"].empty());
}

}  // namespace flowctl::test
