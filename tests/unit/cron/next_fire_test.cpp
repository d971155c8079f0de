#include <gtest/gtest.h>

#include <ctime>
#include <random>

#include "cron/cron.hpp"

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

CronSpec spec(std::string_view text) {
    std::string error;
    auto s = parse_cron(text, &error);
    EXPECT_TRUE(s) << text << ": " << error;
    return s.value_or(CronSpec{});
}

std::optional<int64_t> next(std::string_view text, int64_t after) { return next_fire_utc(spec(text), after); }

// The slow, obviously right answer: step through time and ask matches() (by the minute when
// only second 0 can match, else by the second).
std::optional<int64_t> brute_force(const CronSpec& s, int64_t after, int64_t horizon_sec) {
    const bool minutes_only = s.seconds == std::bitset<60>(1);
    const int64_t step = minutes_only ? 60 : 1;
    int64_t first = after + 1;
    if (minutes_only) first = (first + 59) / 60 * 60;  // times here are positive
    for (int64_t t = first; t <= after + horizon_sec; t += step) {
        std::time_t tt = static_cast<std::time_t>(t);
        std::tm tm{};
        gmtime_r(&tt, &tm);
        if (matches(s, tm.tm_sec, tm.tm_min, tm.tm_hour, tm.tm_mday, tm.tm_mon + 1, tm.tm_wday)) return t;
    }
    return std::nullopt;
}

}  // namespace

TEST(CronNextFire, LeapDayFrom2026IsIn2028) {
    EXPECT_EQ(next("0 0 29 2 *", utc(2026, 1, 1)), utc(2028, 2, 29));
    EXPECT_EQ(next("0 0 29 2 *", utc(2028, 2, 29)), utc(2032, 2, 29));
}

TEST(CronNextFire, EveryFifteenMinutesIsStrictlyAfter) {
    EXPECT_EQ(next("*/15 * * * *", utc(2026, 3, 10, 10, 7, 30)), utc(2026, 3, 10, 10, 15));
    EXPECT_EQ(next("*/15 * * * *", utc(2026, 3, 10, 10, 15)), utc(2026, 3, 10, 10, 30));
    EXPECT_EQ(next("*/15 * * * *", utc(2026, 3, 10, 10, 14, 59)), utc(2026, 3, 10, 10, 15));
    EXPECT_EQ(next("*/15 * * * *", utc(2026, 12, 31, 23, 50)), utc(2027, 1, 1));
}

TEST(CronNextFire, MonthEndsSkipShortMonths) {
    EXPECT_EQ(next("0 12 31 * *", utc(2026, 4, 1)), utc(2026, 5, 31, 12));
    EXPECT_EQ(next("0 0 30 * *", utc(2026, 1, 31)), utc(2026, 3, 30));
    EXPECT_EQ(next("0 0 31 * *", utc(2026, 1, 31)), utc(2026, 3, 31));
    EXPECT_EQ(next("59 23 31 12 *", utc(2026, 12, 31, 23, 59)), utc(2027, 12, 31, 23, 59));
    EXPECT_EQ(next("@monthly", utc(2026, 2, 15, 8)), utc(2026, 3, 1));
    EXPECT_EQ(next("@yearly", utc(2026, 6, 1)), utc(2027, 1, 1));
}

TEST(CronNextFire, DayOfWeekAndVixieOrRule) {
    // 2026-03-11 is a Wednesday; @weekly fires on Sunday 2026-03-15.
    EXPECT_EQ(next("@weekly", utc(2026, 3, 11, 9)), utc(2026, 3, 15));
    EXPECT_EQ(next("0 0 * * 7", utc(2026, 3, 11, 9)), utc(2026, 3, 15));
    EXPECT_EQ(next("30 9 * * MON-FRI", utc(2026, 3, 13, 10)), utc(2026, 3, 16, 9, 30));  // Fri -> Mon
    // 1st of the month or any Monday: from Tue 2026-06-02 the next is Mon 06-08, then Mon 06-29, then Wed 07-01.
    EXPECT_EQ(next("0 0 1 * MON", utc(2026, 6, 2)), utc(2026, 6, 8));
    EXPECT_EQ(next("0 0 1 * MON", utc(2026, 6, 29)), utc(2026, 7, 1));
    EXPECT_EQ(next("0 0 * * MON", utc(2026, 6, 29)), utc(2026, 7, 6));
}

TEST(CronNextFire, SixFieldSeconds) {
    EXPECT_EQ(next("*/20 * * * * *", utc(2026, 5, 5, 5, 5, 41)), utc(2026, 5, 5, 5, 6, 0));
    EXPECT_EQ(next("*/20 * * * * *", utc(2026, 5, 5, 5, 5, 0)), utc(2026, 5, 5, 5, 5, 20));
    EXPECT_EQ(next("15 30 9 * * *", utc(2026, 5, 5, 9, 30, 15)), utc(2026, 5, 6, 9, 30, 15));
}

TEST(CronNextFire, WorksBeforeTheEpoch) {
    EXPECT_EQ(next("0 0 1 1 *", utc(1969, 6, 1)), 0);
    EXPECT_EQ(next("0 12 * * *", -1), 12 * 3600);
}

TEST(CronNextFire, ImpossibleSchedulesGiveNothing) {
    EXPECT_FALSE(next("0 0 30 2 *", utc(2026, 1, 1)));
    EXPECT_FALSE(next("0 0 31 4,6,9,11 *", utc(2026, 1, 1)));
    EXPECT_FALSE(next_fire_utc(spec("@reboot"), utc(2026, 1, 1)));
    EXPECT_FALSE(next_fire_utc(CronSpec{}, utc(2026, 1, 1)));  // nothing set at all
    // but the OR rule rescues an impossible date when a weekday is also given
    EXPECT_EQ(next("0 0 30 2 SAT", utc(2026, 1, 1)), utc(2026, 2, 7));
}

TEST(CronNextFire, ExtremeInstantsAreRefusedNotOverflowed) {
    EXPECT_FALSE(next("* * * * *", INT64_MAX));
    EXPECT_FALSE(next("* * * * *", INT64_MIN));
    EXPECT_EQ(next("0 0 1 1 *", utc(9998, 6, 1)), utc(9999, 1, 1));
}

TEST(CronNextFire, ImpossibleScheduleIsCheap) {
    // Skips whole months, so thousands of searches stay fast.
    auto s = spec("0 0 30 2 *");
    for (int i = 0; i < 2000; ++i) EXPECT_FALSE(next_fire_utc(s, utc(2026, 1, 1) + i * 3600));
    auto dense = spec("* * * * * *");
    for (int i = 0; i < 2000; ++i) EXPECT_EQ(next_fire_utc(dense, 1'700'000'000 + i), 1'700'000'001 + i);
}

TEST(CronNextFire, AgreesWithSecondBySecondSearch) {
    const char* exprs[] = {"*/15 * * * *",   "0 0 1 * MON",     "5 4 * * SUN",     "*/7 */5 * * *",
                           "0 22 * * 1-5",   "23 0-20/2 * * *", "0 0 */2 * MON",   "*/13 */17 * * * *",
                           "59 59 23 * * *", "0 9 1,15 * FRI",  "10-50/20 3 * * *"};
    std::mt19937 rng(7);
    for (const char* e : exprs) {
        auto s = spec(e);
        for (int i = 0; i < 4; ++i) {
            int64_t after = utc(2026, 1, 1) + static_cast<int64_t>(rng() % (366 * 86'400));
            int64_t horizon = (s.seconds == std::bitset<60>(1) ? 60 : 9) * int64_t{86'400};
            auto expected = brute_force(s, after, horizon);
            ASSERT_TRUE(expected) << e;  // every expression here fires within the horizon
            EXPECT_EQ(next_fire_utc(s, after), expected) << e << " after " << after;
        }
    }
}
