#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace flowctl::util {

using Millis = std::chrono::milliseconds;

/// Parses "250ms", "90s", "1h30m", "2d", "1.5s" or a bare number of seconds ("30").
/// Units: ms, s, m, h, d, w. Returns nullopt on anything else (negative, empty, overflow).
std::optional<Millis> parse_duration(std::string_view text);

/// The inverse, compact: "1h30m", "2.5s", "250ms", "0s".
std::string format_duration(Millis d);

}  // namespace flowctl::util
