#pragma once
// One function per step type, each defined in its own file; registry.cpp lists them.
#include "steps/step.hpp"

namespace flowctl::steps {

const StepType& run_step_type();        // run.cpp
const StepType& cmd_step_type();        // cmd.cpp
const StepType& http_step_type();       // http.cpp
const StepType& log_step_type();        // log.cpp
const StepType& sleep_step_type();      // sleep.cpp
const StepType& file_step_type();       // file.cpp
const StepType& transform_step_type();  // transform.cpp
const StepType& flow_step_type();       // subflow.cpp

}  // namespace flowctl::steps
