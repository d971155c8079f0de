#include "cron/cron.hpp"

namespace flowctl::cron {
namespace {

constexpr int64_t k_day = 86'400;
// Far enough for any schedule that can fire at all (Feb 29 recurs within 8 years, and only
// across a skipped century leap year); bounded so an impossible schedule costs ~2k days.
constexpr int64_t k_search_days = 5 * 366;
// Keeps day arithmetic far from overflow.
constexpr int64_t k_max_abs_epoch = int64_t{30'000} * 366 * k_day;

struct Civil {
    int64_t year;
    int month;  // 1..12
    int day;    // 1..31
};

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, day 0 = 1970-01-01).
int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    const int64_t era = floor_div(y, 400);
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146'097 + doe - 719'468;
}

Civil civil_from_days(int64_t z) {
    z += 719'468;
    const int64_t era = floor_div(z, 146'097);
    const int64_t doe = z - era * 146'097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    return {yoe + era * 400 + (m <= 2), m, d};
}

// 0 = Sunday; 1970-01-01 was a Thursday.
int weekday(int64_t days) {
    int64_t r = (days + 4) % 7;
    return static_cast<int>(r < 0 ? r + 7 : r);
}

template <size_t N>
int next_bit(const std::bitset<N>& bits, int from) {
    for (int i = from; i < static_cast<int>(N); ++i)
        if (bits[i]) return i;
    return -1;
}

bool day_matches(const CronSpec& spec, const Civil& c, int wday) {
    bool dom = spec.days_of_month[c.day];
    bool dow = spec.days_of_week[wday];
    return spec.dom_restricted && spec.dow_restricted ? (dom || dow) : (dom && dow);
}

// The first matching second of the day at or after second_of_day, skipping hours and minutes
// that cannot match.
std::optional<int64_t> first_time_in_day(const CronSpec& spec, int64_t second_of_day) {
    const int h0 = static_cast<int>(second_of_day / 3600);
    const int m0 = static_cast<int>(second_of_day / 60 % 60);
    const int s0 = static_cast<int>(second_of_day % 60);
    for (int h = next_bit(spec.hours, h0); h >= 0; h = next_bit(spec.hours, h + 1)) {
        const bool same_hour = h == h0;
        for (int m = next_bit(spec.minutes, same_hour ? m0 : 0); m >= 0; m = next_bit(spec.minutes, m + 1)) {
            int s = next_bit(spec.seconds, same_hour && m == m0 ? s0 : 0);
            if (s >= 0) return int64_t{h} * 3600 + m * 60 + s;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<int64_t> next_fire_utc(const CronSpec& spec, int64_t after_epoch_sec) {
    if (spec.reboot || after_epoch_sec < -k_max_abs_epoch || after_epoch_sec > k_max_abs_epoch) return std::nullopt;
    if (spec.seconds.none() || spec.minutes.none() || spec.hours.none() || spec.months.none() ||
        (spec.days_of_month.none() && spec.days_of_week.none()))
        return std::nullopt;

    const int64_t start = after_epoch_sec + 1;
    int64_t day = floor_div(start, k_day);
    int64_t second_of_day = start - day * k_day;
    const int64_t last_day = day + k_search_days;
    while (day <= last_day) {
        const Civil c = civil_from_days(day);
        if (!spec.months[c.month]) {
            day = c.month == 12 ? days_from_civil(c.year + 1, 1, 1) : days_from_civil(c.year, c.month + 1, 1);
            second_of_day = 0;
            continue;
        }
        if (day_matches(spec, c, weekday(day))) {
            if (auto t = first_time_in_day(spec, second_of_day)) return day * k_day + *t;
        }
        ++day;
        second_of_day = 0;
    }
    return std::nullopt;
}

}  // namespace flowctl::cron
