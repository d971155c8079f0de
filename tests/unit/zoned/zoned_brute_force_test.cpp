// next_fire() against the DST rules applied minute by minute: every minute's wall-clock time is
// asked whether it matches, so this finds the fires without walking offset periods.
#include <gtest/gtest.h>

#include <ctime>

#include "zoned/zoned.hpp"

using namespace flowctl::cron;

namespace {

using Instant = cctz::time_point<cctz::seconds>;

int64_t utc(int y, int mo, int d, int h = 0) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    return static_cast<int64_t>(timegm(&tm));
}

int64_t epoch_of(const Instant& tp) { return tp.time_since_epoch().count(); }

bool matches_civil(const CronSpec& spec, const cctz::civil_second& cs) {
    const int wday = (static_cast<int>(cctz::get_weekday(cctz::civil_day(cs))) + 1) % 7;  // cctz: Monday = 0
    return matches(spec, cs.second(), cs.minute(), cs.hour(), cs.day(), cs.month(), wday);
}

// The fires in (from, to], by the rules of zoned.hpp, for specs firing on whole minutes.
std::vector<int64_t> brute_force(const ZonedSchedule& s, int64_t from, int64_t to) {
    const auto& zone = s.zone.cctz_zone();
    const bool fixed = !s.spec.hour_wildcard;
    std::vector<int64_t> out;
    for (int64_t m = (from / 60 + 1) * 60; m <= to; m += 60) {
        const auto found = zone.lookup(Instant(cctz::seconds(m)));
        bool fire = false;
        if (matches_civil(s.spec, found.cs)) {
            const auto civil = zone.lookup(found.cs);
            const bool second_pass = civil.kind == cctz::time_zone::civil_lookup::REPEATED && epoch_of(civil.pre) != m;
            fire = !fixed || s.repeat == DstRepeat::twice || !second_pass;
        }
        // The minute a gap ends: did the gap hide a match?
        const int before = zone.lookup(Instant(cctz::seconds(m - 1))).offset;
        if (fixed && s.gap == DstGap::shift && found.offset > before) {
            const auto gap_start = cctz::civil_second(found.cs) - (found.offset - before);
            for (auto cs = gap_start; cs < found.cs; cs += 60) fire = fire || matches_civil(s.spec, cs);
        }
        if (fire) out.push_back(m);
    }
    return out;
}

std::vector<int64_t> fast(const ZonedSchedule& s, int64_t from, int64_t to) {
    std::vector<int64_t> out;
    for (auto at = next_fire(s, from); at && *at <= to; at = next_fire(s, *at)) out.push_back(*at);
    return out;
}

}  // namespace

TEST(ZonedNextFireBruteForce, AgreesAroundEveryChange) {
    struct Case {
        const char* zone;
        int year;
    };
    // Besides the usual ones: Sao Paulo's 2018 change skipped midnight, Apia skipped the whole
    // of 2011-12-30, Moscow fell back for good in 2014.
    const Case cases[] = {{"America/New_York", 2026},  {"Europe/Berlin", 2026}, {"Australia/Lord_Howe", 2026},
                          {"America/Sao_Paulo", 2018}, {"Pacific/Apia", 2011},  {"Europe/Moscow", 2014}};
    const char* exprs[] = {"30 2 * * *",  "0,20,40 1-3 * * *", "*/15 * * * *", "0 */2 * * *",   "@daily",
                           "0 0 * * SUN", "45 1 * * *",        "0 12 * * *",   "*/7 0-4 * * *", "59 23 * * *"};
    int compared = 0;
    for (const auto& c : cases) {
        auto zone = TimeZone::load(c.zone);
        ASSERT_TRUE(zone) << c.zone;
        auto changes = zone->transitions(utc(c.year, 1, 1), utc(c.year + 1, 1, 1));
        ASSERT_FALSE(changes.empty()) << c.zone;
        for (const auto& change : changes) {
            for (const char* e : exprs) {
                for (auto gap : {DstGap::shift, DstGap::skip}) {
                    for (auto repeat : {DstRepeat::once, DstRepeat::twice}) {
                        ZonedSchedule s{*parse_cron(e), *zone, gap, repeat};
                        const int64_t from = change.at_sec - 30 * 3600 - 17, to = change.at_sec + 30 * 3600;
                        EXPECT_EQ(fast(s, from, to), brute_force(s, from, to))
                            << c.zone << " " << e << " gap=" << (gap == DstGap::shift ? "shift" : "skip")
                            << " repeat=" << (repeat == DstRepeat::once ? "once" : "twice");
                        ++compared;
                    }
                }
            }
        }
    }
    EXPECT_GT(compared, 200);
}
