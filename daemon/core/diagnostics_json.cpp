#include "core/diagnostics_json.hpp"

namespace flowctl::daemon {

json diagnostic_json(const util::Diagnostic& d) {
    return {{"file", d.file},
            {"line", d.line},
            {"col", d.col},
            {"severity", d.severity == util::Severity::error ? "error" : "warning"},
            {"message", d.message}};
}

json diagnostics_json(const std::vector<util::Diagnostic>& diagnostics) {
    json out = json::array();
    for (const auto& d : diagnostics) out.push_back(diagnostic_json(d));
    return out;
}

}  // namespace flowctl::daemon
