#pragma once
#include <nlohmann/json.hpp>

namespace flowctl {
// Values that flow between steps, expressions and history are JSON values.
using json = nlohmann::json;
}  // namespace flowctl
