#pragma once
// The FLOWCTL_OUTPUT file of process steps, in the format of GitHub Actions' GITHUB_OUTPUT:
// `key=value` lines, and `key<<DELIM` ... `DELIM` for multi-line values.
#include <string>
#include <string_view>
#include <vector>

#include "util/json.hpp"

namespace flowctl::steps {

/// The keys and (string) values in `text`; later keys win. Lines it cannot read are skipped
/// and described in `warnings`.
json parse_output_file(std::string_view text, std::vector<std::string>& warnings);

}  // namespace flowctl::steps
