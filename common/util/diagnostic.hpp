#pragma once
#include <string>
#include <vector>

namespace flowctl::util {

enum class Severity { error, warning };

/// One problem found in a file, with a 1-based position (0 = unknown).
struct Diagnostic {
    std::string file;
    int line = 0;
    int col = 0;
    Severity severity = Severity::error;
    std::string message;
};

/// "FILE:LINE:COL: error: message" (position parts left out when unknown).
std::string format_diagnostic(const Diagnostic& d);

bool has_errors(const std::vector<Diagnostic>& diags);

}  // namespace flowctl::util
