#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flowctl::util {

/// Wall-clock milliseconds since the Unix epoch.
int64_t now_ms();

/// RFC 3339 in UTC with milliseconds: "2026-11-28T15:04:05.123Z".
std::string format_rfc3339(int64_t epoch_ms);

/// Local time for people: "2026-11-28 16:04:05".
std::string format_local(int64_t epoch_ms);

/// Accepts RFC 3339 ("2026-11-28T15:04:05Z", with offset or fraction), a date ("2026-11-28",
/// local midnight), "now", or a past duration ("2h", "3d": that long before now_ms).
std::optional<int64_t> parse_time(std::string_view text, int64_t now);

/// "3m ago", "2h ago", "just now".
std::string format_ago(int64_t epoch_ms, int64_t now);

/// format_ago for the past; "in 45s", "in 3m", "in 2h5m", "in 3d4h" for the future.
std::string format_relative(int64_t epoch_ms, int64_t now);

}  // namespace flowctl::util
