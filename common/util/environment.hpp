#pragma once
#include <map>
#include <string>

namespace flowctl::util {

/// This process's environment as a map (what `flowctl run` hands on to steps).
std::map<std::string, std::string> current_environment();

}  // namespace flowctl::util
