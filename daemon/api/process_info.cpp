#include "api/process_info.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace flowctl::daemon {

uint64_t resident_memory_bytes() {
    std::ifstream statm("/proc/self/statm");
    uint64_t size_pages = 0, resident_pages = 0;
    if (!(statm >> size_pages >> resident_pages)) return 0;
    return resident_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

std::array<double, 3> load_average() {
    std::array<double, 3> loads{0, 0, 0};
    if (getloadavg(loads.data(), 3) != 3) loads = {0, 0, 0};
    return loads;
}

}  // namespace flowctl::daemon
