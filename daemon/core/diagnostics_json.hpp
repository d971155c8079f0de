#pragma once
// Diagnostics as the API shows them: {file, line, col, severity, message}.
#include <vector>

#include "util/diagnostic.hpp"
#include "util/json.hpp"

namespace flowctl::daemon {

json diagnostic_json(const util::Diagnostic& d);
json diagnostics_json(const std::vector<util::Diagnostic>& diagnostics);

}  // namespace flowctl::daemon
