#pragma once
// Runs a `flow:` step's flow as a child execution (called on a worker thread).
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "engine/engine.hpp"
#include "steps/step.hpp"
#include "util/cancel.hpp"

namespace flowctl::engine {

inline constexpr int max_subflow_depth = 16;

struct SubflowSettings {
    std::string parent_id;
    std::string step_id;
    int depth = 0;                                                 // of the parent
    const std::map<std::string, std::string>* base_env = nullptr;  // the parent's RunOptions outlive its units
    std::chrono::milliseconds commit_interval{200};
    std::filesystem::path state_dir;
    std::string flow_dir;
    std::shared_ptr<util::CancelToken> cancel;  // the calling step's token
    /// Receives the sub-flow's events (on the worker thread); empty: nobody listens.
    std::function<void(const Event&)> on_event;
};

/// Never throws: problems come back as a failed result.
steps::SubflowResult run_subflow(const steps::SubflowRequest& request, const SubflowSettings& settings);

}  // namespace flowctl::engine
