#pragma once
// A trigger's `inputs:` may use what started the run: `file: ${{ trigger.paths[0] }}`,
// `ref: ${{ trigger.body.ref }}`. They are rendered here, before the run is submitted, so the
// inputs recorded in history are the values the flow got.
#include <string>

#include "util/json.hpp"

namespace flowctl::daemon {

/// Renders every `${{ }}` in `inputs` with the contexts trigger (trigger_data + {kind}) and
/// flow ({name, path, dir}; path may be empty). Throws ApiError 422 when an expression fails.
json render_trigger_inputs(const json& inputs, const json& trigger_data, const std::string& kind,
                           const std::string& flow_name, const std::string& flow_path);

}  // namespace flowctl::daemon
