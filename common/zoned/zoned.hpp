#pragma once
// Cron schedules read in an IANA time zone, with explicit rules for the wall-clock times a
// daylight-saving change skips or repeats. The zone rules come from the system's tz database
// through cctz.
#include <cctz/time_zone.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cron/cron.hpp"

namespace flowctl::cron {

/// What a fixed schedule does when its wall-clock time is skipped (spring forward).
enum class DstGap {
    shift,  // fire once, at the first instant after the gap
    skip,   // do not fire that day
};

/// What a fixed schedule does when its wall-clock time occurs twice (fall back).
enum class DstRepeat {
    once,   // fire at the first occurrence only
    twice,  // fire at both occurrences
};

/// A time zone of the tz database (cheap to copy; zones are loaded once per process).
class TimeZone {
public:
    /// An IANA name ("Europe/Berlin"), "UTC", or "" / "local" for the system's zone ($TZ,
    /// else /etc/localtime). Names are looked up in the zoneinfo directory only: absolute
    /// paths and ".." are refused. On failure returns nullopt and sets error, if given, to a
    /// message starting "time zone: ".
    static std::optional<TimeZone> load(std::string_view name, std::string* error = nullptr);
    /// The system's zone (UTC when it cannot be read).
    static TimeZone local();
    static TimeZone utc();

    /// The IANA name ("Europe/Berlin"), also for the local zone when it can be told (from $TZ or
    /// the /etc/localtime link), else "localtime".
    const std::string& name() const { return m_name; }
    /// Seconds east of UTC at that instant.
    int utc_offset_sec(int64_t epoch_sec) const;
    /// "CET", "EDT", "+1030"...
    std::string abbreviation(int64_t epoch_sec) const;
    bool is_dst(int64_t epoch_sec) const;

    /// An offset change: from at_sec on, the offset is offset_after.
    struct Transition {
        int64_t at_sec;
        int offset_before;
        int offset_after;
        bool operator==(const Transition&) const = default;
    };
    /// The offset changes in (from_sec, to_sec], oldest first. Changes of abbreviation or DST
    /// flag alone (same offset) are not listed: they move no wall clock.
    std::vector<Transition> transitions(int64_t from_sec, int64_t to_sec) const;

    /// strftime-like formatting in this zone (cctz::format: also %Ez for "+01:00", %E*S...).
    std::string format(int64_t epoch_sec, const std::string& fmt) const;

    /// A local wall-clock time "YYYY-MM-DD[ T]HH:MM[:SS]" in this zone, or an RFC 3339 time with
    /// an offset or "Z" (any zone), to epoch seconds. A repeated wall-clock time gives its
    /// earliest instant, a skipped one the instant the gap ends. nullopt when malformed.
    std::optional<int64_t> parse_local(std::string_view text) const;

    /// The underlying cctz zone, for civil-time lookups.
    const cctz::time_zone& cctz_zone() const { return m_zone; }

private:
    TimeZone(cctz::time_zone zone, std::string name) : m_zone(zone), m_name(std::move(name)) {}

    cctz::time_zone m_zone;
    std::string m_name;
};

/// A cron schedule whose fields are read as wall-clock time in `zone`.
///
/// Daylight-saving rules (as in Vixie cron and systemd):
/// - A "fixed" schedule (hour field neither '*' nor a step over all hours, e.g. `30 2 * * *`):
///   when spring-forward skips matching wall-clock times, it fires once at the instant the gap
///   ends (the transition itself), however many matches were skipped, with gap = shift; it does
///   not fire for them with gap = skip. When fall-back repeats matching times, it fires only at
///   their first occurrence with repeat = once, at both with repeat = twice.
/// - An "elapsed" schedule (hour field '*' or `*/N`, e.g. `*/15 * * * *`): gap and repeat are
///   ignored; it fires at every matching wall-clock time of each stretch of constant UTC offset,
///   so a repeated hour gets its fires twice and nothing is bunched up after a gap.
struct ZonedSchedule {
    CronSpec spec;
    TimeZone zone = TimeZone::utc();
    DstGap gap = DstGap::shift;
    DstRepeat repeat = DstRepeat::once;
};

/// The next fire time strictly after `after_epoch_sec` (epoch seconds); nullopt when none within
/// about five years (`0 0 30 2 *`), for @reboot, and for instants beyond +-30,000 years.
std::optional<int64_t> next_fire(const ZonedSchedule& s, int64_t after_epoch_sec);

/// The next n fire times (fewer when the schedule stops firing), ascending.
std::vector<int64_t> next_fires(const ZonedSchedule& s, int64_t after_epoch_sec, int n);

}  // namespace flowctl::cron
