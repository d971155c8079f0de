// Next fire times in a time zone: walk the stretches of constant UTC offset; within one, the
// zone is a fixed shift of UTC, so next_fire_utc() on shifted times finds the matches. The
// daylight-saving rules (zoned.hpp) only decide what happens at the edges of the stretches.
#include "zoned/zoned.hpp"

namespace flowctl::cron {
namespace {

constexpr int64_t k_day = 86'400;
// As next_fire_utc: about five years of search, and nothing near the ends of time.
constexpr int64_t k_horizon_sec = 5 * 366 * k_day;
constexpr int64_t k_max_abs_epoch = int64_t{30'000} * 366 * k_day;

using Instant = cctz::time_point<cctz::seconds>;

Instant instant(int64_t epoch_sec) { return Instant(cctz::seconds(epoch_sec)); }
int64_t epoch_of(const Instant& tp) { return tp.time_since_epoch().count(); }

// next_fire_utc() speaks "civil seconds": wall-clock fields read as if they were UTC.
cctz::civil_second civil_of(int64_t civil_sec) { return cctz::civil_second(1970, 1, 1, 0, 0, 0) + civil_sec; }

int offset_at(const cctz::time_zone& zone, int64_t epoch_sec) { return zone.lookup(instant(epoch_sec)).offset; }

// The instant the offset next changes after epoch_sec, if it ever does.
std::optional<int64_t> next_change(const cctz::time_zone& zone, int64_t epoch_sec) {
    cctz::time_zone::civil_transition change;
    if (!zone.next_transition(instant(epoch_sec), &change)) return std::nullopt;
    return epoch_of(zone.lookup(change.to).trans);
}

// When `at` is the second occurrence of a repeated wall-clock time, the last instant of that
// second pass (so a search can jump past all of it); nullopt otherwise.
std::optional<int64_t> end_of_second_pass(const cctz::time_zone& zone, int64_t civil_sec, int64_t at) {
    const auto found = zone.lookup(civil_of(civil_sec));
    if (found.kind != cctz::time_zone::civil_lookup::REPEATED || epoch_of(found.pre) == at) return std::nullopt;
    const int64_t change = epoch_of(found.trans);
    const int64_t repeated_sec = offset_at(zone, change - 1) - offset_at(zone, change);
    return change + repeated_sec - 1;
}

}  // namespace

std::optional<int64_t> next_fire(const ZonedSchedule& s, int64_t after_epoch_sec) {
    if (s.spec.reboot || after_epoch_sec < -k_max_abs_epoch || after_epoch_sec > k_max_abs_epoch) return std::nullopt;
    const cctz::time_zone& zone = s.zone.cctz_zone();
    const bool fixed = !s.spec.hour_wildcard;
    const int64_t horizon = after_epoch_sec + k_horizon_sec;

    // Candidates are instants > t; the offset is `offset` from t up to `end`.
    int64_t t = after_epoch_sec;
    int offset = offset_at(zone, t);
    std::optional<int64_t> end = next_change(zone, t);
    while (t < horizon) {
        if (auto civil = next_fire_utc(s.spec, t + offset)) {
            const int64_t at = *civil - offset;
            if (!end || at < *end) {
                if (fixed && s.repeat == DstRepeat::once) {
                    if (auto skip_to = end_of_second_pass(zone, *civil, at)) {
                        t = *skip_to;
                        continue;
                    }
                }
                return at;
            }
        }
        if (!end) return std::nullopt;

        // Crossing the change at *end. Spring forward skips the wall-clock times
        // [end + offset, end + new_offset): a fixed schedule matching any of them fires once,
        // when the gap ends.
        const int new_offset = offset_at(zone, *end);
        if (fixed && s.gap == DstGap::shift && new_offset > offset) {
            auto skipped = next_fire_utc(s.spec, *end + offset - 1);
            if (skipped && *skipped < *end + new_offset) return *end;
        }
        t = *end - 1;
        offset = new_offset;
        end = next_change(zone, *end);
    }
    return std::nullopt;
}

std::vector<int64_t> next_fires(const ZonedSchedule& s, int64_t after_epoch_sec, int n) {
    std::vector<int64_t> out;
    int64_t t = after_epoch_sec;
    for (int i = 0; i < n; ++i) {
        auto at = next_fire(s, t);
        if (!at) break;
        out.push_back(*at);
        t = *at;
    }
    return out;
}

}  // namespace flowctl::cron
