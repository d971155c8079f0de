#pragma once
// A step type's parameters: the short and long forms and sibling keys merged into one object,
// then checked against the type's schema.
#include <string>
#include <utility>
#include <vector>

#include "flow/loader.hpp"
#include "steps/step.hpp"

namespace flowctl::flow::detail {

/// Sets step.params from `TYPE: value` (type_value) and the sibling keys (key, value nodes),
/// reporting unknown, missing and mistyped parameters. A string containing `${{` passes any
/// type check: it is only known at run time.
void normalise_params(Loader& loader, StepDef& step, const steps::StepSchema& schema, NodeId type_key,
                      NodeId type_value, const std::vector<std::pair<NodeId, NodeId>>& siblings,
                      const std::string& label);

}  // namespace flowctl::flow::detail
