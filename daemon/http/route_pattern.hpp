#pragma once
// A route's path template ("/api/v1/flows/{name}") as the regex cpp-httplib matches paths with.
#include <string>
#include <vector>

namespace flowctl::daemon {

struct RoutePattern {
    std::string regex;               // literal parts escaped, each {param} a ([^/]+) group
    std::vector<std::string> names;  // the parameters, in group order
};

/// Throws std::invalid_argument on an unclosed or empty {}.
RoutePattern compile_route_path(const std::string& path_template);

}  // namespace flowctl::daemon
