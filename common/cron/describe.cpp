#include <cstdio>
#include <vector>

#include "cron/cron.hpp"

namespace flowctl::cron {
namespace {

const char* const k_months[] = {"", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
const char* const k_days[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

template <size_t N>
bool is_full(const std::bitset<N>& bits, int lo, int hi) {
    for (int i = lo; i <= hi; ++i)
        if (!bits[i]) return false;
    return true;
}

template <size_t N>
std::vector<int> values(const std::bitset<N>& bits, int lo, int hi) {
    std::vector<int> out;
    for (int i = lo; i <= hi; ++i)
        if (bits[i]) out.push_back(i);
    return out;
}

// "0,15,30,45", "1-5,10" or "MON-FRI": runs of three or more become ranges.
template <size_t N>
std::string list(const std::bitset<N>& bits, int lo, int hi, const char* const* names = nullptr) {
    auto name = [&](int v) { return names ? std::string(names[v]) : std::to_string(v); };
    std::vector<int> vs = values(bits, lo, hi);
    std::string out;
    for (size_t i = 0; i < vs.size();) {
        size_t j = i;
        while (j + 1 < vs.size() && vs[j + 1] == vs[j] + 1) ++j;
        if (!out.empty()) out += ',';
        if (j - i >= 2) {
            out += name(vs[i]) + "-" + name(vs[j]);
        } else {
            out += name(vs[i]);
            if (j > i) out += "," + name(vs[j]);
        }
        i = j + 1;
    }
    return out;
}

std::string time_part(const CronSpec& s) {
    const bool every_min = is_full(s.minutes, 0, 59);
    const bool every_hour = is_full(s.hours, 0, 23);
    const auto mins = values(s.minutes, 0, 59);
    const auto hours = values(s.hours, 0, 23);
    std::string minute_hour;
    if (mins.size() == 1 && hours.size() == 1) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%02d:%02d", hours[0] % 100, mins[0] % 100);
        minute_hour = std::string("at ") + buf;
    } else {
        minute_hour = every_min ? "every minute" : "at minute " + list(s.minutes, 0, 59);
        minute_hour += every_hour ? (every_min ? "" : " past every hour") : " past hour " + list(s.hours, 0, 23);
    }
    if (s.seconds.count() == 1 && s.seconds[0]) return minute_hour;
    std::string sec = is_full(s.seconds, 0, 59) ? "every second" : "at second " + list(s.seconds, 0, 59);
    return sec + " of " + (minute_hour.rfind("at ", 0) == 0 ? minute_hour.substr(3) : minute_hour);
}

}  // namespace

std::string describe(const CronSpec& s) {
    if (s.reboot) return "at startup";
    std::string out = time_part(s);
    const bool all_dom = is_full(s.days_of_month, 1, 31);
    const bool all_dow = is_full(s.days_of_week, 0, 6);
    const std::string dom = "on day-of-month " + list(s.days_of_month, 1, 31);
    const std::string dow = "on " + list(s.days_of_week, 0, 6, k_days);
    if (!all_dom && !all_dow)
        out += " " + dom + (s.dom_restricted && s.dow_restricted ? " or " : " and ") + dow;
    else if (!all_dom)
        out += " " + dom;
    else if (!all_dow)
        out += " " + dow;
    if (!is_full(s.months, 1, 12)) out += " in " + list(s.months, 1, 12, k_months);
    return out;
}

}  // namespace flowctl::cron
