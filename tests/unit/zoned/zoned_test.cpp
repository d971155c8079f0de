#include <gtest/gtest.h>

#include <ctime>

#include "zoned/zoned.hpp"

using namespace flowctl::cron;

namespace {

int64_t utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return static_cast<int64_t>(timegm(&tm));
}

TimeZone zone(std::string_view name) {
    std::string error;
    auto z = TimeZone::load(name, &error);
    EXPECT_TRUE(z) << name << ": " << error;
    return z.value_or(TimeZone::utc());
}

ZonedSchedule schedule(std::string_view expr, std::string_view tz, DstGap gap = DstGap::shift,
                       DstRepeat repeat = DstRepeat::once) {
    std::string error;
    auto spec = parse_cron(expr, &error);
    EXPECT_TRUE(spec) << expr << ": " << error;
    return {spec.value_or(CronSpec{}), zone(tz), gap, repeat};
}

std::vector<int64_t> fires(const ZonedSchedule& s, int64_t after, int n) { return next_fires(s, after, n); }

}  // namespace

// New York, 2026-03-08: 02:00 EST becomes 03:00 EDT at 07:00Z.
TEST(ZonedNextFire, NewYorkSpringForwardFixedTime) {
    auto shifted = schedule("30 2 * * *", "America/New_York", DstGap::shift);
    EXPECT_EQ(fires(shifted, utc(2026, 3, 7, 12), 2),
              (std::vector<int64_t>{utc(2026, 3, 8, 7), utc(2026, 3, 9, 6, 30)}));
    auto skipped = schedule("30 2 * * *", "America/New_York", DstGap::skip);
    EXPECT_EQ(fires(skipped, utc(2026, 3, 7, 12), 2),
              (std::vector<int64_t>{utc(2026, 3, 9, 6, 30), utc(2026, 3, 10, 6, 30)}));
    // Just before the change, the shifted fire is still ahead.
    EXPECT_EQ(next_fire(shifted, utc(2026, 3, 8, 7) - 1), utc(2026, 3, 8, 7));
    EXPECT_EQ(next_fire(shifted, utc(2026, 3, 8, 7)), utc(2026, 3, 9, 6, 30));
}

TEST(ZonedNextFire, SeveralSkippedMatchesFireOnce) {
    auto s = schedule("0,20,40 2 * * *", "America/New_York");
    EXPECT_EQ(fires(s, utc(2026, 3, 8, 5), 2), (std::vector<int64_t>{utc(2026, 3, 8, 7), utc(2026, 3, 9, 6)}));
    // 03:00 EDT is the gap's end as well as a match of its own: one fire.
    auto both = schedule("0 2,3 * * *", "America/New_York");
    EXPECT_EQ(fires(both, utc(2026, 3, 8, 5), 3),
              (std::vector<int64_t>{utc(2026, 3, 8, 7), utc(2026, 3, 9, 6), utc(2026, 3, 9, 7)}));
}

// New York, 2026-11-01: 02:00 EDT becomes 01:00 EST at 06:00Z, so 01:00-01:59 happens twice.
TEST(ZonedNextFire, NewYorkFallBackFixedTime) {
    auto once = schedule("30 1 * * *", "America/New_York", DstGap::shift, DstRepeat::once);
    EXPECT_EQ(fires(once, utc(2026, 10, 31, 12), 2),
              (std::vector<int64_t>{utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)}));
    // From between the two passes, the repeated time has already fired.
    EXPECT_EQ(next_fire(once, utc(2026, 11, 1, 6, 10)), utc(2026, 11, 2, 6, 30));
    auto twice = schedule("30 1 * * *", "America/New_York", DstGap::shift, DstRepeat::twice);
    EXPECT_EQ(fires(twice, utc(2026, 10, 31, 12), 3),
              (std::vector<int64_t>{utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30), utc(2026, 11, 2, 6, 30)}));
}

TEST(ZonedNextFire, NewYorkElapsedScheduleThroughBothChanges) {
    for (auto gap : {DstGap::shift, DstGap::skip}) {
        auto s = schedule("*/15 * * * *", "America/New_York", gap, DstRepeat::once);
        // 01:45 EST, then 03:00 EDT: nothing bunched up for the skipped hour.
        EXPECT_EQ(fires(s, utc(2026, 3, 8, 6, 40), 3),
                  (std::vector<int64_t>{utc(2026, 3, 8, 6, 45), utc(2026, 3, 8, 7), utc(2026, 3, 8, 7, 15)}));
        // Four fires in each pass of 01:00-01:59.
        std::vector<int64_t> expected;
        for (int i = 0; i <= 8; ++i) expected.push_back(utc(2026, 11, 1, 5) + i * 900);
        EXPECT_EQ(fires(s, utc(2026, 11, 1, 4, 55), 9), expected);
    }
}

// Berlin: 2026-03-29 02:00 CET -> 03:00 CEST at 01:00Z; 2026-10-25 03:00 CEST -> 02:00 CET at 01:00Z.
TEST(ZonedNextFire, BerlinFixedTimes) {
    EXPECT_EQ(next_fire(schedule("30 2 * * *", "Europe/Berlin", DstGap::shift), utc(2026, 3, 28, 12)),
              utc(2026, 3, 29, 1));
    EXPECT_EQ(next_fire(schedule("30 2 * * *", "Europe/Berlin", DstGap::skip), utc(2026, 3, 28, 12)),
              utc(2026, 3, 30, 0, 30));
    EXPECT_EQ(fires(schedule("30 2 * * *", "Europe/Berlin", DstGap::shift, DstRepeat::once), utc(2026, 10, 24, 12), 2),
              (std::vector<int64_t>{utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)}));
    EXPECT_EQ(fires(schedule("30 2 * * *", "Europe/Berlin", DstGap::shift, DstRepeat::twice), utc(2026, 10, 24, 12), 3),
              (std::vector<int64_t>{utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30), utc(2026, 10, 26, 1, 30)}));
    // Away from the changes a fixed time is plain local time: 09:00 CEST is 07:00Z.
    EXPECT_EQ(next_fire(schedule("0 9 * * *", "Europe/Berlin"), utc(2026, 7, 1)), utc(2026, 7, 1, 7));
}

TEST(ZonedNextFire, BerlinElapsedScheduleThroughBothChanges) {
    auto s = schedule("*/15 * * * *", "Europe/Berlin", DstGap::skip, DstRepeat::once);
    EXPECT_EQ(fires(s, utc(2026, 3, 29, 0, 40), 3),
              (std::vector<int64_t>{utc(2026, 3, 29, 0, 45), utc(2026, 3, 29, 1), utc(2026, 3, 29, 1, 15)}));
    std::vector<int64_t> expected;
    for (int i = 0; i <= 8; ++i) expected.push_back(utc(2026, 10, 25, 0) + i * 900);
    EXPECT_EQ(fires(s, utc(2026, 10, 24, 23, 55), 9), expected);
}

// Lord Howe Island moves by 30 minutes: 2026-04-05 02:00 (+11) -> 01:30 (+10:30) at 15:00Z the
// day before; 2026-10-04 02:00 (+10:30) -> 02:30 (+11) at 15:30Z the day before.
TEST(ZonedNextFire, LordHoweHalfHourShift) {
    EXPECT_EQ(fires(schedule("45 1 * * *", "Australia/Lord_Howe", DstGap::shift, DstRepeat::once), utc(2026, 4, 4), 2),
              (std::vector<int64_t>{utc(2026, 4, 4, 14, 45), utc(2026, 4, 5, 15, 15)}));
    EXPECT_EQ(fires(schedule("45 1 * * *", "Australia/Lord_Howe", DstGap::shift, DstRepeat::twice), utc(2026, 4, 4), 3),
              (std::vector<int64_t>{utc(2026, 4, 4, 14, 45), utc(2026, 4, 4, 15, 15), utc(2026, 4, 5, 15, 15)}));
    // 01:15 is not repeated (only 01:30-01:59 is): one fire either way.
    EXPECT_EQ(fires(schedule("15 1 * * *", "Australia/Lord_Howe", DstGap::shift, DstRepeat::twice), utc(2026, 4, 4), 2),
              (std::vector<int64_t>{utc(2026, 4, 4, 14, 15), utc(2026, 4, 5, 14, 45)}));
    EXPECT_EQ(fires(schedule("15 2 * * *", "Australia/Lord_Howe", DstGap::shift), utc(2026, 10, 3), 2),
              (std::vector<int64_t>{utc(2026, 10, 3, 15, 30), utc(2026, 10, 4, 15, 15)}));
    EXPECT_EQ(next_fire(schedule("15 2 * * *", "Australia/Lord_Howe", DstGap::skip), utc(2026, 10, 3)),
              utc(2026, 10, 4, 15, 15));
    // 02:45 exists on that day (the gap is only 02:00-02:29).
    EXPECT_EQ(next_fire(schedule("45 2 * * *", "Australia/Lord_Howe", DstGap::skip), utc(2026, 10, 3)),
              utc(2026, 10, 3, 15, 45));
}

TEST(ZonedNextFire, LordHoweElapsedSchedule) {
    auto s = schedule("*/15 * * * *", "Australia/Lord_Howe");
    EXPECT_EQ(fires(s, utc(2026, 10, 3, 15), 3),
              (std::vector<int64_t>{utc(2026, 10, 3, 15, 15), utc(2026, 10, 3, 15, 30), utc(2026, 10, 3, 15, 45)}));
    EXPECT_EQ(fires(s, utc(2026, 4, 4, 14, 20), 5),
              (std::vector<int64_t>{utc(2026, 4, 4, 14, 30), utc(2026, 4, 4, 14, 45), utc(2026, 4, 4, 15),
                                    utc(2026, 4, 4, 15, 15), utc(2026, 4, 4, 15, 30)}));
}

TEST(ZonedNextFire, ZonesWithoutDaylightSaving) {
    // Tokyo is +09:00 all year: 09:00 JST is midnight UTC, also on the dates others change.
    auto tokyo = schedule("0 9 * * *", "Asia/Tokyo");
    EXPECT_EQ(fires(tokyo, utc(2026, 3, 7, 12), 3),
              (std::vector<int64_t>{utc(2026, 3, 8), utc(2026, 3, 9), utc(2026, 3, 10)}));
    EXPECT_EQ(next_fire(schedule("*/15 * * * *", "UTC"), utc(2026, 11, 1, 1, 1)), utc(2026, 11, 1, 1, 15));
    EXPECT_EQ(next_fire(schedule("30 2 * * *", "UTC"), utc(2026, 3, 29)), utc(2026, 3, 29, 2, 30));
}

TEST(ZonedNextFire, LeapDayAndImpossibleDates) {
    auto leap = schedule("0 12 29 2 *", "Europe/Berlin");
    EXPECT_EQ(next_fire(leap, utc(2027, 1, 1)), utc(2028, 2, 29, 11));
    EXPECT_EQ(next_fire(leap, utc(2028, 2, 29, 11)), utc(2032, 2, 29, 11));
    EXPECT_FALSE(next_fire(schedule("0 0 30 2 *", "Europe/Berlin"), utc(2026, 1, 1)));
    EXPECT_TRUE(fires(schedule("0 0 30 2 *", "America/New_York"), utc(2026, 1, 1), 3).empty());
    EXPECT_FALSE(next_fire(schedule("@reboot", "Europe/Berlin"), utc(2026, 1, 1)));
}

TEST(ZonedNextFire, MacrosInAZone) {
    // @daily is a fixed time: midnight EST, then midnight EDT.
    EXPECT_EQ(fires(schedule("@daily", "America/New_York"), utc(2026, 3, 7, 12), 2),
              (std::vector<int64_t>{utc(2026, 3, 8, 5), utc(2026, 3, 9, 4)}));
    // @hourly is elapsed: 01:00 EDT, 01:00 EST, 02:00 EST.
    EXPECT_EQ(fires(schedule("@hourly", "America/New_York"), utc(2026, 11, 1, 4, 30), 3),
              (std::vector<int64_t>{utc(2026, 11, 1, 5), utc(2026, 11, 1, 6), utc(2026, 11, 1, 7)}));
}

TEST(ZonedNextFire, SecondsFieldAndOrRule) {
    EXPECT_EQ(next_fire(schedule("*/20 30 2 * * *", "America/New_York"), utc(2026, 3, 8, 5)), utc(2026, 3, 8, 7));
    EXPECT_EQ(
        fires(schedule("0,30 30 1 * * *", "America/New_York", DstGap::shift, DstRepeat::twice), utc(2026, 11, 1, 4), 4),
        (std::vector<int64_t>{utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 5, 30, 30), utc(2026, 11, 1, 6, 30),
                              utc(2026, 11, 1, 6, 30, 30)}));
    // The 1st of the month or any Monday, at 09:00 Berlin time (CEST in June).
    EXPECT_EQ(fires(schedule("0 9 1 * MON", "Europe/Berlin"), utc(2026, 6, 2), 3),
              (std::vector<int64_t>{utc(2026, 6, 8, 7), utc(2026, 6, 15, 7), utc(2026, 6, 22, 7)}));
}

TEST(ZonedNextFire, NextFiresCountsAndOrders) {
    auto s = schedule("0 */6 * * *", "Europe/Berlin");
    auto list = fires(s, utc(2026, 7, 1), 10);
    ASSERT_EQ(list.size(), 10u);
    for (size_t i = 1; i < list.size(); ++i) EXPECT_EQ(list[i] - list[i - 1], 6 * 3600);
    EXPECT_EQ(list.front(), utc(2026, 7, 1, 4));  // 06:00 CEST
    EXPECT_TRUE(fires(s, utc(2026, 7, 1), 0).empty());
}

TEST(ZonedNextFire, ExtremeInstantsAreRefused) {
    auto s = schedule("* * * * *", "Europe/Berlin");
    EXPECT_FALSE(next_fire(s, INT64_MAX));
    EXPECT_FALSE(next_fire(s, INT64_MIN));
}
