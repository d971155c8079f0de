#pragma once
#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace flowctl::bench {

/// Runs fn `rounds` times and returns the median of the measured values.
double median_of(int rounds, const std::function<double()>& fn);

/// Seconds taken by fn.
double seconds(const std::function<void()>& fn);

}  // namespace flowctl::bench
