#pragma once
// One unit of work (a step, or one for_each item) with its retries, on a worker thread.
// It talks to the engine only through the mailbox.
#include <chrono>
#include <memory>
#include <optional>

#include "engine/mailbox.hpp"
#include "flow/model.hpp"
#include "steps/step.hpp"
#include "util/cancel.hpp"

namespace flowctl::engine {

struct UnitJob {
    int unit = -1;
    const steps::StepType* type = nullptr;
    steps::StepContext context;  // params, env, cwd, flow_dir, run_subflow; cancel/log/deadline set per attempt
    flow::RetryPolicy retry;
    std::optional<util::Millis> timeout;
    std::optional<std::chrono::steady_clock::time_point> flow_deadline;
    std::shared_ptr<util::CancelToken> cancel;
};

/// The wait before the attempt after `failed_attempt` (1-based): delay, or delay*2^(n-1) for
/// exponential backoff, capped by max_delay.
util::Millis retry_delay(const flow::RetryPolicy& policy, int failed_attempt);

/// Runs every attempt of the unit; posts attempt_started, log, attempt_finished, retrying
/// and finally unit_done. Never throws.
void run_unit(UnitJob& job, Mailbox& mailbox);

}  // namespace flowctl::engine
