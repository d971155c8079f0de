// The list of step types, in the order `flowctl actions` shows them.
#include "steps/types.hpp"

namespace flowctl::steps {

const std::vector<const StepType*>& all_step_types() {
    static const std::vector<const StepType*> types{
        &run_step_type(),   &cmd_step_type(),  &http_step_type(),      &log_step_type(),
        &sleep_step_type(), &file_step_type(), &transform_step_type(), &flow_step_type(),
    };
    return types;
}

const StepType* find_step_type(std::string_view type) {
    for (const StepType* t : all_step_types())
        if (t->schema().type == type) return t;
    return nullptr;
}

}  // namespace flowctl::steps
