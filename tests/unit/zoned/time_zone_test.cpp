#include <gtest/gtest.h>

#include <cstdlib>
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
    auto z = TimeZone::load(name);
    EXPECT_TRUE(z) << name;
    return z.value_or(TimeZone::utc());
}

// Sets $TZ for one test and puts the old value back.
class ScopedTz {
public:
    explicit ScopedTz(const char* value) {
        if (const char* old = std::getenv("TZ")) m_old = old;
        if (value)
            ::setenv("TZ", value, 1);
        else
            ::unsetenv("TZ");
    }
    ~ScopedTz() {
        if (m_old)
            ::setenv("TZ", m_old->c_str(), 1);
        else
            ::unsetenv("TZ");
    }

private:
    std::optional<std::string> m_old;
};

}  // namespace

TEST(TimeZone, LoadsIanaNamesAndUtc) {
    auto berlin = zone("Europe/Berlin");
    EXPECT_EQ(berlin.name(), "Europe/Berlin");
    EXPECT_EQ(berlin.utc_offset_sec(utc(2026, 1, 15)), 3600);
    EXPECT_EQ(berlin.utc_offset_sec(utc(2026, 7, 15)), 7200);
    EXPECT_EQ(berlin.abbreviation(utc(2026, 1, 15)), "CET");
    EXPECT_EQ(berlin.abbreviation(utc(2026, 7, 15)), "CEST");
    EXPECT_FALSE(berlin.is_dst(utc(2026, 1, 15)));
    EXPECT_TRUE(berlin.is_dst(utc(2026, 7, 15)));

    auto u = zone("UTC");
    EXPECT_EQ(u.name(), "UTC");
    EXPECT_EQ(u.utc_offset_sec(utc(2026, 7, 15)), 0);
    EXPECT_EQ(TimeZone::utc().abbreviation(0), "UTC");
    EXPECT_EQ(zone("Asia/Kolkata").utc_offset_sec(utc(2026, 7, 15)), 5 * 3600 + 1800);
}

TEST(TimeZone, RefusesUnknownZonesAndPaths) {
    for (const char* bad : {"Mars/Olympus_Mons", "Europe/Berln", "../../etc/passwd", "/etc/localtime",
                            "Europe/../Europe/Berlin", "Europe/", "Europe/Berlin extra"}) {
        std::string error;
        EXPECT_FALSE(TimeZone::load(bad, &error)) << bad;
        EXPECT_EQ(error.rfind("time zone: ", 0), 0u) << error;
        EXPECT_NE(error.find(bad), std::string::npos) << error;
    }
    std::string error;
    TimeZone::load("Mars/Olympus_Mons", &error);
    EXPECT_NE(error.find("unknown zone"), std::string::npos) << error;
}

TEST(TimeZone, LocalZoneFollowsTz) {
    {
        ScopedTz tz("Asia/Tokyo");
        auto local = TimeZone::local();
        EXPECT_EQ(local.name(), "Asia/Tokyo");
        EXPECT_EQ(local.utc_offset_sec(utc(2026, 7, 1)), 9 * 3600);
        auto named = zone("local");
        EXPECT_EQ(named.name(), "Asia/Tokyo");
        EXPECT_EQ(zone("").utc_offset_sec(utc(2026, 7, 1)), 9 * 3600);
    }
    {
        ScopedTz tz(":America/New_York");
        EXPECT_EQ(TimeZone::local().name(), "America/New_York");
        EXPECT_EQ(TimeZone::local().utc_offset_sec(utc(2026, 7, 1)), -4 * 3600);
    }
    {
        ScopedTz tz("Nowhere/Atlantis");  // unreadable: UTC, and named so
        EXPECT_EQ(TimeZone::local().name(), "UTC");
        EXPECT_EQ(TimeZone::local().utc_offset_sec(utc(2026, 7, 1)), 0);
    }
}

TEST(TimeZone, TransitionsAreOffsetChangesInTheRange) {
    auto berlin = zone("Europe/Berlin");
    EXPECT_EQ(
        berlin.transitions(utc(2026, 1, 1), utc(2027, 1, 1)),
        (std::vector<TimeZone::Transition>{{utc(2026, 3, 29, 1), 3600, 7200}, {utc(2026, 10, 25, 1), 7200, 3600}}));
    // (from, to]: a change exactly at `from` is not listed, one exactly at `to` is.
    EXPECT_EQ(berlin.transitions(utc(2026, 3, 29, 1), utc(2026, 10, 25, 1)).size(), 1u);
    auto lord_howe = zone("Australia/Lord_Howe");
    EXPECT_EQ(lord_howe.transitions(utc(2026, 1, 1), utc(2027, 1, 1)),
              (std::vector<TimeZone::Transition>{{utc(2026, 4, 4, 15), 39600, 37800},
                                                 {utc(2026, 10, 3, 15, 30), 37800, 39600}}));
    EXPECT_TRUE(zone("Asia/Tokyo").transitions(utc(2026, 1, 1), utc(2027, 1, 1)).empty());
    EXPECT_TRUE(TimeZone::utc().transitions(utc(2026, 1, 1), utc(2027, 1, 1)).empty());
}

TEST(TimeZone, FormatsInTheZone) {
    auto ny = zone("America/New_York");
    EXPECT_EQ(ny.format(utc(2026, 11, 1, 5, 30), "%Y-%m-%d %H:%M:%S %Z %Ez"), "2026-11-01 01:30:00 EDT -04:00");
    EXPECT_EQ(ny.format(utc(2026, 11, 1, 6, 30), "%Y-%m-%d %H:%M:%S %Z %Ez"), "2026-11-01 01:30:00 EST -05:00");
    EXPECT_EQ(ny.format(utc(2026, 11, 1, 6, 30), "%a"), "Sun");
}

TEST(TimeZone, ParsesLocalTimes) {
    auto berlin = zone("Europe/Berlin");
    EXPECT_EQ(berlin.parse_local("2026-07-01 12:00"), utc(2026, 7, 1, 10));
    EXPECT_EQ(berlin.parse_local("2026-07-01T12:00:30"), utc(2026, 7, 1, 10, 0, 30));
    EXPECT_EQ(berlin.parse_local("2026-01-01 00:00:00"), utc(2025, 12, 31, 23));
    // Skipped: the instant the gap ends. Repeated: the first occurrence.
    EXPECT_EQ(berlin.parse_local("2026-03-29 02:30"), utc(2026, 3, 29, 1));
    EXPECT_EQ(berlin.parse_local("2026-10-25 02:30"), utc(2026, 10, 25, 0, 30));
    // An explicit offset wins over the zone.
    EXPECT_EQ(berlin.parse_local("2026-07-01T12:00:00Z"), utc(2026, 7, 1, 12));
    EXPECT_EQ(berlin.parse_local("2026-07-01T12:00:00+05:30"), utc(2026, 7, 1, 6, 30));
    EXPECT_EQ(berlin.parse_local("2026-07-01T12:00:00.250-04:00"), utc(2026, 7, 1, 16));
    EXPECT_EQ(berlin.parse_local("2028-02-29 00:00"), utc(2028, 2, 28, 23));

    for (const char* bad : {"", "tomorrow", "2026-07-01", "2026-02-30 10:00", "2027-02-29 10:00", "2026-13-01 00:00",
                            "2026-07-01 24:00", "2026-07-01 12:60", "2026-07-01 12:00 extra", "2026-07-01T12:00:00+2",
                            "2026-7-1 12:00", "2026-07-01T12:00:00.", "2026-07-01T12:00:00+05:30x"})
        EXPECT_FALSE(berlin.parse_local(bad)) << bad;
}
