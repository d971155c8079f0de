#include "flow/model.hpp"

namespace flowctl::flow {

const StepDef* Flow::find_step(const std::string& id) const {
    for (const auto& step : steps)
        if (step.id == id) return &step;
    return nullptr;
}

}  // namespace flowctl::flow
