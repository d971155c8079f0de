#pragma once
// The effective configuration as JSON, keyed like the config file (`flowd --check-config`).
#include "config/config.hpp"
#include "util/json.hpp"

namespace flowctl::daemon {

/// Durations as "30s"-style strings, sizes in bytes; the client token is shown only as set/unset.
json config_json(const config::Config& config);

}  // namespace flowctl::daemon
