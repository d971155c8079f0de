#pragma once
// Internal to the config module: byte sizes as people write them.
#include <cstdint>
#include <optional>
#include <string_view>

namespace flowctl::config::detail {

/// "10MiB", "512KiB", "1.5GiB" (powers of 1024), "1MB", "64KB" (powers of 1000), "100B" or
/// plain bytes ("4096"). Units are case-insensitive; a space may separate them. nullopt on
/// anything else, negative numbers or overflow.
std::optional<uint64_t> parse_size(std::string_view text);

}  // namespace flowctl::config::detail
