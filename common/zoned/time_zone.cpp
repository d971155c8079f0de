#include <unistd.h>

#include <cctype>
#include <climits>
#include <cstdlib>

#include "zoned/zoned.hpp"

namespace flowctl::cron {
namespace {

cctz::time_point<cctz::seconds> instant(int64_t epoch_sec) {
    return cctz::time_point<cctz::seconds>(cctz::seconds(epoch_sec));
}

int64_t epoch_of(const cctz::time_point<cctz::seconds>& tp) { return tp.time_since_epoch().count(); }

// "Europe/Berlin" from "/usr/share/zoneinfo/Europe/Berlin" (also "posix/Europe/Berlin").
std::string zone_name_from_path(const std::string& path) {
    for (const char* dir : {"zoneinfo/posix/", "zoneinfo/right/", "zoneinfo/"}) {
        auto at = path.rfind(dir);
        if (at != std::string::npos) return path.substr(at + std::char_traits<char>::length(dir));
    }
    return "";
}

// The name the system zone goes by: $TZ as written, else the target of the /etc/localtime link.
std::string local_zone_name() {
    if (const char* tz = std::getenv("TZ"); tz && *tz) {
        std::string name = tz[0] == ':' ? tz + 1 : tz;
        if (!name.empty() && name[0] == '/') {
            std::string from_path = zone_name_from_path(name);
            return from_path.empty() ? name : from_path;
        }
        return name;
    }
    char target[PATH_MAX];
    ssize_t n = ::readlink("/etc/localtime", target, sizeof target - 1);
    if (n > 0) {
        std::string name = zone_name_from_path(std::string(target, static_cast<size_t>(n)));
        if (!name.empty()) return name;
    }
    return "localtime";
}

// Only names under the zoneinfo directory: a flow file must not make us read any file.
bool is_plain_zone_name(std::string_view name) {
    if (name.empty() || name.front() == '/' || name.back() == '/') return false;
    if (name.find("..") != std::string_view::npos || name.find("//") != std::string_view::npos) return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+'))
            return false;
    return true;
}

// A fixed number of digits at text[pos...], advancing pos; -1 when they are not all digits.
int digits(std::string_view text, size_t& pos, size_t count) {
    if (pos + count > text.size()) return -1;
    int value = 0;
    for (size_t i = 0; i < count; ++i) {
        char c = text[pos + i];
        if (c < '0' || c > '9') return -1;
        value = value * 10 + (c - '0');
    }
    pos += count;
    return value;
}

bool take(std::string_view text, size_t& pos, char c) {
    if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

}  // namespace

std::optional<TimeZone> TimeZone::load(std::string_view name, std::string* error) {
    if (name.empty() || name == "local") return local();
    if (name == "UTC") return utc();
    if (!is_plain_zone_name(name)) {
        if (error) *error = "time zone: '" + std::string(name) + "' is not a zone name such as Europe/Berlin";
        return std::nullopt;
    }
    cctz::time_zone zone;
    if (!cctz::load_time_zone(std::string(name), &zone)) {
        if (error) *error = "time zone: unknown zone '" + std::string(name) + "' (see /usr/share/zoneinfo)";
        return std::nullopt;
    }
    return TimeZone(zone, std::string(name));
}

TimeZone TimeZone::local() {
    // cctz falls back to UTC for a $TZ it cannot load: say so rather than keep the bad name.
    cctz::time_zone zone = cctz::local_time_zone();
    std::string name = local_zone_name();
    cctz::time_zone check;
    if (zone == cctz::utc_time_zone() && !cctz::load_time_zone(name, &check)) name = "UTC";
    return TimeZone(zone, std::move(name));
}

TimeZone TimeZone::utc() { return TimeZone(cctz::utc_time_zone(), "UTC"); }

int TimeZone::utc_offset_sec(int64_t epoch_sec) const { return m_zone.lookup(instant(epoch_sec)).offset; }

std::string TimeZone::abbreviation(int64_t epoch_sec) const { return m_zone.lookup(instant(epoch_sec)).abbr; }

bool TimeZone::is_dst(int64_t epoch_sec) const { return m_zone.lookup(instant(epoch_sec)).is_dst; }

std::vector<TimeZone::Transition> TimeZone::transitions(int64_t from_sec, int64_t to_sec) const {
    std::vector<Transition> out;
    auto tp = instant(from_sec);
    cctz::time_zone::civil_transition change;
    while (m_zone.next_transition(tp, &change)) {
        tp = m_zone.lookup(change.to).trans;
        const int64_t at = epoch_of(tp);
        if (at > to_sec) break;
        const int before = utc_offset_sec(at - 1);
        const int after = utc_offset_sec(at);
        if (before != after) out.push_back({at, before, after});
    }
    return out;
}

std::string TimeZone::format(int64_t epoch_sec, const std::string& fmt) const {
    return cctz::format(fmt, instant(epoch_sec), m_zone);
}

std::optional<int64_t> TimeZone::parse_local(std::string_view text) const {
    size_t pos = 0;
    const int year = digits(text, pos, 4);
    if (year < 0 || !take(text, pos, '-')) return std::nullopt;
    const int month = digits(text, pos, 2);
    if (month < 0 || !take(text, pos, '-')) return std::nullopt;
    const int day = digits(text, pos, 2);
    if (day < 0 || !(take(text, pos, 'T') || take(text, pos, 't') || take(text, pos, ' '))) return std::nullopt;
    const int hour = digits(text, pos, 2);
    if (hour < 0 || !take(text, pos, ':')) return std::nullopt;
    const int minute = digits(text, pos, 2);
    if (minute < 0) return std::nullopt;
    int second = 0;
    if (take(text, pos, ':')) {
        second = digits(text, pos, 2);
        if (second < 0) return std::nullopt;
        // A fraction is allowed, as in RFC 3339, and dropped: schedules count whole seconds.
        if (take(text, pos, '.')) {
            const size_t start = pos;
            while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
            if (pos == start) return std::nullopt;
        }
    }
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return std::nullopt;
    const cctz::civil_second civil(year, month, day, hour, minute, second);
    if (civil.month() != month || civil.day() != day) return std::nullopt;  // Feb 30 would roll over

    if (pos == text.size()) {
        const auto found = m_zone.lookup(civil);
        return epoch_of(found.kind == cctz::time_zone::civil_lookup::SKIPPED ? found.trans : found.pre);
    }
    // An explicit offset names the instant whatever this zone is.
    int offset = 0;
    if (take(text, pos, 'Z') || take(text, pos, 'z')) {
        offset = 0;
    } else {
        const bool east = take(text, pos, '+');
        if (!east && !take(text, pos, '-')) return std::nullopt;
        const int oh = digits(text, pos, 2);
        if (oh < 0 || !take(text, pos, ':')) return std::nullopt;
        const int om = digits(text, pos, 2);
        if (om < 0 || oh > 23 || om > 59) return std::nullopt;
        offset = (east ? 1 : -1) * (oh * 3600 + om * 60);
    }
    if (pos != text.size()) return std::nullopt;
    return (civil - cctz::civil_second(1970, 1, 1, 0, 0, 0)) - offset;
}

}  // namespace flowctl::cron
