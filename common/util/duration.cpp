#include "util/duration.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace flowctl::util {

namespace {
std::optional<double> unit_ms(std::string_view unit) {
    if (unit == "ms") return 1.0;
    if (unit == "s" || unit == "sec") return 1000.0;
    if (unit == "m" || unit == "min") return 60'000.0;
    if (unit == "h") return 3'600'000.0;
    if (unit == "d") return 86'400'000.0;
    if (unit == "w") return 604'800'000.0;
    return std::nullopt;
}
}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (text.empty() || text.size() > 64) return std::nullopt;
    double total = 0;
    size_t i = 0;
    bool any = false;
    while (i < text.size()) {
        size_t start = i;
        bool dot = false;
        while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || (text[i] == '.' && !dot))) {
            if (text[i] == '.') dot = true;
            ++i;
        }
        if (i == start) return std::nullopt;
        std::string number(text.substr(start, i - start));
        if (number == ".") return std::nullopt;
        double value = std::strtod(number.c_str(), nullptr);
        size_t ustart = i;
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
        std::string_view unit = text.substr(ustart, i - ustart);
        if (unit.empty()) {
            // A bare number means seconds, and only on its own.
            if (any || i != text.size()) return std::nullopt;
            unit = "s";
        }
        auto factor = unit_ms(unit);
        if (!factor) return std::nullopt;
        total += value * *factor;
        any = true;
    }
    if (!std::isfinite(total) || total > 1e15) return std::nullopt;
    return Millis(static_cast<long long>(std::llround(total)));
}

std::string format_duration(Millis d) {
    long long ms = d.count();
    if (ms < 0) return "-" + format_duration(Millis(-ms));
    if (ms < 1000) return std::to_string(ms) + "ms";
    if (ms < 60'000) {
        long long tenths = (ms + 50) / 100;
        std::string s = std::to_string(tenths / 10);
        if (tenths % 10) s += "." + std::to_string(tenths % 10);
        return s + "s";
    }
    long long s = ms / 1000;
    std::string out;
    if (s >= 86400) {
        out += std::to_string(s / 86400) + "d";
        s %= 86400;
    }
    if (s >= 3600) {
        out += std::to_string(s / 3600) + "h";
        s %= 3600;
    }
    if (s >= 60) {
        out += std::to_string(s / 60) + "m";
        s %= 60;
    }
    if (s) out += std::to_string(s) + "s";
    return out;
}

}  // namespace flowctl::util
