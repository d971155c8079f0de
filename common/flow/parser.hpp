#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/model.hpp"
#include "util/diagnostic.hpp"

namespace flowctl::flow {

/// Builds the model from YAML text and checks it, collecting every problem (never only the
/// first). Returns the flow when there are no errors (warnings may be present).
/// Diagnostics carry `path` as their file name. Never throws on any input.
std::optional<Flow> load_flow(std::string_view text, const std::string& path,
                              std::vector<util::Diagnostic>& diagnostics);

/// Reads the file and calls load_flow; an unreadable file is a diagnostic too.
std::optional<Flow> load_flow_file(const std::string& path, std::vector<util::Diagnostic>& diagnostics);

/// Every key the format allows at the top level and in a step (for did-you-mean and docs).
const std::vector<std::string>& flow_keys();
const std::vector<std::string>& step_common_keys();

}  // namespace flowctl::flow
