#pragma once
// A flow's `concurrency:` policy and `max_active:` limit applied to a new run, given the
// flow's executions already active in this daemon: start it, let it wait for a slot, skip it,
// or make room by cancelling the oldest.
#include <string>
#include <vector>

#include "flow/model.hpp"

namespace flowctl::daemon {

/// The decision for one new run.
struct Admission {
    /// forbid at the limit: record the run `skipped` with `reason`, run nothing.
    bool skip = false;
    std::string reason;
    /// replace at the limit: these (oldest first) are cancelled so that the new run fits.
    std::vector<std::string> replace;
    /// queue at the limit: the run waits until fewer than the limit are running.
    bool waits = false;
};

/// The most executions of `flow` that may be active (and run) at once; 0: no limit.
/// A limiting policy without a limit (a flow built in code) allows one.
int active_limit(const flow::Flow& flow);

/// `active`: ids of the flow's queued and running executions in this daemon, oldest first,
/// leaving out those already being cancelled.
Admission admit(const flow::Flow& flow, const std::vector<std::string>& active);

}  // namespace flowctl::daemon
