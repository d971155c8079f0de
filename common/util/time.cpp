#include "util/time.hpp"

#include <chrono>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "util/duration.hpp"

namespace flowctl::util {

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_rfc3339(int64_t epoch_ms) {
    time_t secs = static_cast<time_t>(epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000);
    int millis = static_cast<int>(epoch_ms - static_cast<int64_t>(secs) * 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return buf;
}

std::string format_local(int64_t epoch_ms) {
    time_t secs = static_cast<time_t>(epoch_ms / 1000);
    std::tm tm{};
    localtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

namespace {
bool digits(std::string_view s, size_t pos, size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

// Days from civil date (Howard Hinnant's algorithm), proleptic Gregorian.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
}  // namespace

std::optional<int64_t> parse_time(std::string_view s, int64_t now) {
    if (s == "now") return now;
    if (auto d = parse_duration(s); d && !s.empty() && !std::isdigit(static_cast<unsigned char>(s.back())))
        return now - d->count();
    int y, mo, d;
    if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
        !digits(s, 8, 2, d) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return std::nullopt;
    if (s.size() == 10) {
        std::tm tm{};
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_isdst = -1;
        time_t t = mktime(&tm);
        if (t == -1) return std::nullopt;
        return static_cast<int64_t>(t) * 1000;
    }
    int h, mi, sec;
    if (s.size() < 19 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) || s[13] != ':' ||
        !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec) || h > 23 || mi > 59 || sec > 60)
        return std::nullopt;
    size_t pos = 19;
    int millis = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int scale = 100;
        size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            millis += (s[pos] - '0') * scale;
            scale /= 10;
            ++pos;
        }
        if (pos == start) return std::nullopt;
    }
    int64_t offset_min = 0;
    bool local = false;
    if (pos == s.size()) {
        local = true;
    } else if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
        int oh, om;
        if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om))
            return std::nullopt;
        offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
        pos += 6;
    }
    if (pos != s.size()) return std::nullopt;
    if (local) {
        std::tm tm{};
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = sec;
        tm.tm_isdst = -1;
        time_t t = mktime(&tm);
        if (t == -1) return std::nullopt;
        return static_cast<int64_t>(t) * 1000 + millis;
    }
    int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    return secs * 1000 + millis;
}

std::string format_ago(int64_t t, int64_t now) {
    int64_t s = (now - t) / 1000;
    if (s < 0) return "in the future";
    if (s < 5) return "just now";
    if (s < 60) return std::to_string(s) + "s ago";
    if (s < 3600) return std::to_string(s / 60) + "m ago";
    if (s < 86400) return std::to_string(s / 3600) + "h ago";
    return std::to_string(s / 86400) + "d ago";
}

std::string format_relative(int64_t t, int64_t now) {
    if (t <= now) return format_ago(t, now);
    int64_t s = (t - now + 999) / 1000;
    if (s < 60) return "in " + std::to_string(s) + "s";
    if (s < 3600) return "in " + std::to_string(s / 60) + "m";
    if (s < 86400)
        return "in " + std::to_string(s / 3600) + "h" + (s % 3600 >= 60 ? std::to_string(s % 3600 / 60) + "m" : "");
    return "in " + std::to_string(s / 86400) + "d" + (s % 86400 >= 3600 ? std::to_string(s % 86400 / 3600) + "h" : "");
}

}  // namespace flowctl::util
