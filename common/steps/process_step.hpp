#pragma once
// What the run and cmd step types share: running a process in the step's context, with a
// FLOWCTL_OUTPUT file, and turning its result into a StepResult.
#include <optional>
#include <string>
#include <vector>

#include "steps/step.hpp"

namespace flowctl::steps {

/// Runs argv with ctx's environment, directory, deadline, cancellation and output cap;
/// stdout/stderr lines go to ctx.log as they come.
StepResult run_process_step(StepContext& ctx, const std::vector<std::string>& argv,
                            const std::optional<std::string>& stdin_data);

/// The `stdin` parameter: absent or null gives nullopt, a string is used as is, and any other
/// value is written as JSON (so `stdin: ${{ steps.x.output }}` passes an object on).
std::optional<std::string> stdin_param(const json& params);

/// The outputs run and cmd document; `what` is "script" or "program".
std::vector<ParamSpec> process_outputs(const std::string& what);

}  // namespace flowctl::steps
