#pragma once
// Figures about the daemon process for health and metrics.
#include <array>
#include <cstdint>

namespace flowctl::daemon {

/// Resident set size from /proc/self/statm (0 when unreadable).
uint64_t resident_memory_bytes();
/// The 1, 5 and 15 minute load averages (zeros when unavailable).
std::array<double, 3> load_average();

}  // namespace flowctl::daemon
