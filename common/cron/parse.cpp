#include "cron/cron.hpp"

#include <array>
#include <cctype>
#include <exception>
#include <vector>

#include "util/spellcheck.hpp"

namespace flowctl::cron {
namespace {

// Long enough for any sensible expression, short enough that a pasted file is refused early.
constexpr size_t k_max_length = 1024;

const std::vector<std::string> k_month_names = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
const std::vector<std::string> k_dow_names = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

struct FieldInfo {
    const char* name;
    int lo;
    int hi;
    const std::vector<std::string>* names = nullptr;  // names[i] stands for lo_name + i
    int name_base = 0;
    bool question_ok = false;  // '?' means '*' (Quartz style)
};

const FieldInfo k_second{"second", 0, 59};
const FieldInfo k_minute{"minute", 0, 59};
const FieldInfo k_hour{"hour", 0, 23};
const FieldInfo k_dom{"day-of-month", 1, 31, nullptr, 0, true};
const FieldInfo k_month{"month", 1, 12, &k_month_names, 1};
const FieldInfo k_dow{"day-of-week", 0, 7, &k_dow_names, 0, true};

struct Macro {
    const char* name;
    const char* expansion;  // nullptr for @reboot
};

constexpr std::array<Macro, 8> k_macros{{
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
    {"@reboot", nullptr},
}};

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

bool all_alpha(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isalpha(static_cast<unsigned char>(c))) return false;
    return true;
}

// Saturates instead of overflowing, so "99999999999" still reads as "too big".
int to_int(std::string_view digits) {
    long long v = 0;
    for (char c : digits) {
        v = v * 10 + (c - '0');
        if (v > 1'000'000) return 1'000'000;
    }
    return static_cast<int>(v);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (true) {
        size_t pos = s.find(sep, start);
        out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    return out;
}

std::vector<std::string_view> split_whitespace(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && is_space(s[i])) ++i;
        size_t start = i;
        while (i < s.size() && !is_space(s[i])) ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

/// Parses one field into a mask of accepted values; sets error and returns false on failure.
class FieldParser {
public:
    FieldParser(const FieldInfo& info, std::string& error) : m_info(info), m_error(error) {}

    bool parse(std::string_view text, uint64_t& mask) {
        for (std::string_view item : split(text, ',')) {
            if (item.empty()) return fail("empty item in list '" + std::string(text) + "'");
            if (!parse_item(item, mask)) return false;
        }
        return true;
    }

private:
    bool fail(const std::string& message) {
        m_error = std::string("cron: ") + m_info.name + " field: " + message;
        return false;
    }

    std::string range_text() const { return std::to_string(m_info.lo) + "-" + std::to_string(m_info.hi); }

    // A number or (where the field has them) a name; at_range_end lets SUN close a range as 7.
    bool parse_value(std::string_view text, bool at_range_end, int& value) {
        if (all_digits(text)) {
            value = to_int(text);
            if (value < m_info.lo || value > m_info.hi)
                return fail(std::string(text) + " is out of range " + range_text());
            return true;
        }
        if (m_info.names && all_alpha(text)) {
            const auto& names = *m_info.names;
            for (size_t i = 0; i < names.size(); ++i) {
                if (iequals(text, names[i])) {
                    value = m_info.name_base + static_cast<int>(i);
                    if (at_range_end && m_info.names == &k_dow_names && value == 0) value = 7;
                    return true;
                }
            }
            std::string message = "unknown name '" + std::string(text) + "'";
            if (auto guess = util::did_you_mean(text, names))
                return fail(message + " (did you mean '" + *guess + "'?)");
            return fail(message + " (expected " + names.front() + "-" + names.back() + " or " + range_text() + ")");
        }
        if (text.empty()) return fail("missing value");
        return fail("invalid value '" + std::string(text) + "' (expected a number " + range_text() + ")");
    }

    bool parse_item(std::string_view item, uint64_t& mask) {
        std::string_view base = item;
        std::optional<std::string_view> step_text;
        if (size_t slash = item.find('/'); slash != std::string_view::npos) {
            base = item.substr(0, slash);
            step_text = item.substr(slash + 1);
        }

        int step = 1;
        if (step_text) {
            if (step_text->empty()) return fail("missing step after '/' in '" + std::string(item) + "'");
            if (!all_digits(*step_text)) return fail("invalid step '" + std::string(*step_text) + "'");
            step = to_int(*step_text);
            if (step < 1) return fail("step must be >= 1");
            // `*/90` in the minute field would silently mean "minute 0"; refuse it instead.
            if (step > m_info.hi)
                return fail("step " + std::string(*step_text) + " is out of range 1-" + std::to_string(m_info.hi));
        }

        int first = m_info.lo;
        int last = m_info.hi;
        if (base == "*") {
            // whole range
        } else if (base == "?") {
            if (!m_info.question_ok) return fail("'?' is only allowed in the day-of-month and day-of-week fields");
            if (step_text) return fail("'?' cannot take a step");
        } else if (base.empty()) {
            return fail("missing value before '/' in '" + std::string(item) + "'");
        } else if (size_t dash = base.find('-'); dash != std::string_view::npos) {
            std::string_view lo_text = base.substr(0, dash);
            std::string_view hi_text = base.substr(dash + 1);
            if (lo_text.empty()) return fail("missing start of range in '" + std::string(base) + "'");
            if (hi_text.empty()) return fail("missing end of range in '" + std::string(base) + "'");
            if (!parse_value(lo_text, false, first) || !parse_value(hi_text, true, last)) return false;
            if (first == 0 && last == 7 && all_alpha(hi_text)) last = 0;  // SUN-SUN is just Sunday
            if (first > last) {
                m_error = "cron: range " + std::string(base) + " is backwards in the " + m_info.name + " field";
                return false;
            }
        } else {
            if (!parse_value(base, false, first)) return false;
            // `5/10` runs from 5 to the end of the range; a bare `5` is just 5.
            if (!step_text) last = first;
        }

        for (int v = first; v <= last; v += step) mask |= uint64_t{1} << v;
        return true;
    }

    const FieldInfo& m_info;
    std::string& m_error;
};

template <size_t N>
std::bitset<N> to_bits(uint64_t mask) {
    return std::bitset<N>(mask & (N >= 64 ? ~uint64_t{0} : (uint64_t{1} << N) - 1));
}

bool starts_with_star(std::string_view field) {
    return !field.empty() && (field.front() == '*' || field.front() == '?');
}

std::optional<CronSpec> parse_fields(const std::vector<std::string_view>& fields, std::string& error) {
    if (fields.size() != 5 && fields.size() != 6) {
        error = "cron: expected 5 or 6 fields, got " + std::to_string(fields.size());
        return std::nullopt;
    }
    size_t i = 0;
    uint64_t sec = 1;  // 5-field form: second 0
    if (fields.size() == 6) {
        sec = 0;
        if (!FieldParser(k_second, error).parse(fields[i++], sec)) return std::nullopt;
    }

    uint64_t min = 0, hour = 0, dom = 0, mon = 0, dow = 0;
    std::string_view hour_text = fields[i + 1];
    std::string_view dom_text = fields[i + 2];
    std::string_view dow_text = fields[i + 4];
    if (!FieldParser(k_minute, error).parse(fields[i], min) || !FieldParser(k_hour, error).parse(hour_text, hour) ||
        !FieldParser(k_dom, error).parse(dom_text, dom) || !FieldParser(k_month, error).parse(fields[i + 3], mon) ||
        !FieldParser(k_dow, error).parse(dow_text, dow))
        return std::nullopt;

    // 7 is another spelling of Sunday.
    if (dow & (uint64_t{1} << 7)) dow = (dow | 1) & ~(uint64_t{1} << 7);

    CronSpec spec;
    spec.seconds = to_bits<60>(sec);
    spec.minutes = to_bits<60>(min);
    spec.hours = to_bits<24>(hour);
    spec.days_of_month = to_bits<32>(dom);
    spec.months = to_bits<13>(mon);
    spec.days_of_week = to_bits<8>(dow);
    spec.dom_restricted = !starts_with_star(dom_text);
    spec.dow_restricted = !starts_with_star(dow_text);
    spec.hour_wildcard = hour_text.front() == '*';
    return spec;
}

std::optional<CronSpec> parse_macro(std::string_view word, const std::vector<std::string_view>& fields,
                                    std::string& error) {
    const Macro* found = nullptr;
    for (const auto& m : k_macros)
        if (iequals(word, m.name)) found = &m;
    if (!found) {
        std::vector<std::string> names;
        for (const auto& m : k_macros) names.emplace_back(m.name);
        error = "cron: unknown macro '" + std::string(word) + "'";
        if (auto guess = util::did_you_mean(word, names)) error += " (did you mean '" + *guess + "'?)";
        return std::nullopt;
    }
    if (fields.size() > 1) {
        error = "cron: unexpected '" + std::string(fields[1]) + "' after " + found->name;
        return std::nullopt;
    }
    if (!found->expansion) {
        CronSpec spec;
        spec.reboot = true;
        return spec;
    }
    return parse_fields(split_whitespace(found->expansion), error);
}

}  // namespace

std::optional<CronSpec> parse_cron(std::string_view text, std::string* error) {
    std::string local_error;
    std::string& err = error ? *error : local_error;
    try {
        if (text.size() > k_max_length) {
            err = "cron: expression is too long (" + std::to_string(text.size()) + " characters, at most " +
                  std::to_string(k_max_length) + ")";
            return std::nullopt;
        }
        auto fields = split_whitespace(text);
        if (fields.empty()) {
            err = "cron: empty expression";
            return std::nullopt;
        }
        auto spec = fields[0].front() == '@' ? parse_macro(fields[0], fields, err) : parse_fields(fields, err);
        if (spec) spec->source = std::string(text);
        return spec;
    } catch (const std::exception& e) {  // only std::bad_alloc is possible here
        err = std::string("cron: ") + e.what();
        return std::nullopt;
    }
}

bool matches(const CronSpec& spec, int sec, int min, int hour, int mday, int month, int wday) {
    if (spec.reboot) return false;
    if (sec < 0 || sec > 59 || min < 0 || min > 59 || hour < 0 || hour > 23 || mday < 1 || mday > 31 || month < 1 ||
        month > 12 || wday < 0 || wday > 7)
        return false;
    if (!spec.seconds[sec] || !spec.minutes[min] || !spec.hours[hour] || !spec.months[month]) return false;
    bool dom = spec.days_of_month[mday];
    bool dow = spec.days_of_week[wday % 7];
    return spec.dom_restricted && spec.dow_restricted ? (dom || dow) : (dom && dow);
}

}  // namespace flowctl::cron
