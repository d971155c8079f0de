#include "config/size.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace flowctl::config::detail {

namespace {

std::optional<double> unit_factor(std::string unit) {
    for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (unit.empty() || unit == "b") return 1.0;
    if (unit == "kb") return 1e3;
    if (unit == "mb") return 1e6;
    if (unit == "gb") return 1e9;
    if (unit == "kib") return 1024.0;
    if (unit == "mib") return 1024.0 * 1024.0;
    if (unit == "gib") return 1024.0 * 1024.0 * 1024.0;
    return std::nullopt;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<uint64_t> parse_size(std::string_view text) {
    text = trim(text);
    size_t i = 0;
    bool dot = false;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || (text[i] == '.' && !dot))) {
        if (text[i] == '.') dot = true;
        ++i;
    }
    std::string number(text.substr(0, i));
    if (number.empty() || number == ".") return std::nullopt;
    auto factor = unit_factor(std::string(trim(text.substr(i))));
    if (!factor) return std::nullopt;
    double bytes = std::strtod(number.c_str(), nullptr) * *factor;
    if (!std::isfinite(bytes) || bytes > 1e18) return std::nullopt;  // well inside uint64_t
    return static_cast<uint64_t>(std::llround(bytes));
}

}  // namespace flowctl::config::detail
