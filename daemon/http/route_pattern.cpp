#include "http/route_pattern.hpp"

#include <stdexcept>
#include <string_view>

namespace flowctl::daemon {

namespace {
void append_literal(std::string& regex, char c) {
    static constexpr std::string_view special = R"(\^$.|?*+()[]{})";
    if (special.find(c) != std::string_view::npos) regex += '\\';
    regex += c;
}
}  // namespace

RoutePattern compile_route_path(const std::string& path_template) {
    RoutePattern pattern;
    for (size_t i = 0; i < path_template.size(); ++i) {
        char c = path_template[i];
        if (c != '{') {
            append_literal(pattern.regex, c);
            continue;
        }
        auto close = path_template.find('}', i);
        if (close == std::string::npos || close == i + 1) {
            throw std::invalid_argument("bad path template '" + path_template + "'");
        }
        pattern.names.push_back(path_template.substr(i + 1, close - i - 1));
        pattern.regex += "([^/]+)";
        i = close;
    }
    return pattern;
}

}  // namespace flowctl::daemon
