#include "util/diagnostic.hpp"

namespace flowctl::util {

std::string format_diagnostic(const Diagnostic& d) {
    std::string out = d.file.empty() ? std::string("<input>") : d.file;
    if (d.line > 0) {
        out += ":" + std::to_string(d.line);
        if (d.col > 0) out += ":" + std::to_string(d.col);
    }
    out += d.severity == Severity::error ? ": error: " : ": warning: ";
    out += d.message;
    return out;
}

bool has_errors(const std::vector<Diagnostic>& diags) {
    for (const auto& d : diags)
        if (d.severity == Severity::error) return true;
    return false;
}

}  // namespace flowctl::util
