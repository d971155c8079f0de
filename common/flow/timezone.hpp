#pragma once
// IANA time zone names, checked against the system's tz database.
#include <optional>
#include <string>
#include <string_view>

namespace flowctl::flow::detail {

/// True when `name` (e.g. "Europe/Paris", "UTC") is a zone file under $TZDIR or
/// /usr/share/zoneinfo.
bool time_zone_exists(std::string_view name);

/// The closest known zone name, for "did you mean" (scans the database: only on errors).
std::optional<std::string> suggest_time_zone(std::string_view name);

}  // namespace flowctl::flow::detail
