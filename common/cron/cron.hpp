#pragma once
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flowctl::cron {

/// A parsed cron expression: one bit per value each field accepts.
struct CronSpec {
    std::bitset<60> seconds;  // {0} when the expression has 5 fields
    std::bitset<60> minutes;
    std::bitset<24> hours;
    std::bitset<32> days_of_month;  // bits 1..31
    std::bitset<13> months;         // bits 1..12
    std::bitset<8> days_of_week;    // bits 0..6, Sunday = 0 (7 is accepted as Sunday)
    // As in Vixie cron, a field counts as restricted unless it starts with '*' or '?', so
    // `*/2` in day-of-month is still "unrestricted" for the OR rule.
    bool dom_restricted = false;  // day-of-month field was not '*' (Vixie cron's OR rule)
    bool dow_restricted = false;
    bool reboot = false;         // @reboot: no time fields, never matches a time
    bool hour_wildcard = false;  // hour field is '*' or a step over the whole range (elapsed-time DST rule later)
    std::string source;          // as written
};

/// Parses 5 fields (min hour dom month dow) or 6 (sec min hour dom month dow); lists `1,5`,
/// ranges `1-5`, steps `*/15` `10-50/10` `5/10` (start/step to the end), names JAN-DEC and
/// SUN-SAT (case-insensitive; also in ranges `MON-FRI`), `?` as '*' in dom/dow, and the macros
/// @yearly @annually @monthly @weekly @daily @midnight @hourly @reboot. Never throws.
/// On failure returns nullopt and, if error is given, sets it to a message starting "cron: ".
std::optional<CronSpec> parse_cron(std::string_view text, std::string* error = nullptr);

/// Whether the broken-down time matches (Vixie rule: when both dom and dow are restricted,
/// either may match). Out-of-range arguments never match; wday 7 is Sunday.
bool matches(const CronSpec& spec, int sec, int min, int hour, int mday, int month, int wday);

/// A normalised description, e.g. "at minute 0 past every hour", "at 09:30 on MON-FRI".
std::string describe(const CronSpec& spec);

/// The next matching second strictly after after_epoch_sec, reading the fields in UTC.
/// Looks at most about five years ahead; nullopt when nothing matches in that window
/// (`0 0 30 2 *`), for @reboot, and for instants beyond +-30,000 years.
std::optional<int64_t> next_fire_utc(const CronSpec& spec, int64_t after_epoch_sec);

}  // namespace flowctl::cron
