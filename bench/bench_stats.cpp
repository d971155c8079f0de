#include "bench_stats.hpp"

namespace flowctl::bench {

double median_of(int rounds, const std::function<double()>& fn) {
    std::vector<double> values;
    for (int i = 0; i < rounds; ++i) values.push_back(fn());
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

double seconds(const std::function<void()>& fn) {
    auto start = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace flowctl::bench
