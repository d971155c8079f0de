// `flow`: runs another flow file as one step, through the engine's ctx.run_subflow.
#include <filesystem>

#include "steps/param_values.hpp"
#include "steps/types.hpp"

namespace flowctl::steps {
namespace {

namespace fs = std::filesystem;

class FlowStep final : public StepType {
public:
    const StepSchema& schema() const override {
        static const StepSchema s{
            .type = "flow",
            .summary = "Run another flow file as one step; its outputs become this step's outputs",
            .primary = "path",
            .params =
                {
                    params::Spec("path", "string", "The flow file to run, relative to this flow's directory")
                        .required(),
                    params::Spec("inputs", "object", "Inputs passed to the sub-flow").default_to(json::object()),
                },
            .sibling_params = {"inputs"},
            .outputs =
                {
                    params::Spec("execution_id", "string",
                                 "The sub-flow's execution id (see `flowctl history`); every "
                                 "output the sub-flow declares is here too"),
                },
            .example =
                "- id: deploy\n"
                "  flow: deploy.yaml\n"
                "  inputs:\n"
                "    version: ${{ steps.build.outputs.version }}\n",
        };
        return s;
    }

    StepResult run(StepContext& ctx) const override {
        return params::guarded([&] {
            std::string path = params::require_string(ctx.params, "path");
            if (path.empty()) {
                return params::failure("parameter 'path' must not be empty");
            }
            SubflowRequest request;
            if (const json* inputs = params::get_object(ctx.params, "inputs")) {
                request.inputs = *inputs;
            }
            fs::path p(path);
            if (p.is_relative()) {
                p = fs::path(ctx.flow_dir.empty() ? ctx.cwd : ctx.flow_dir) / p;
            }
            request.path = p.lexically_normal().string();
            request.deadline = ctx.deadline;
            if (!ctx.run_subflow) {
                return params::failure("sub-flows are not available here");
            }

            SubflowResult sub = ctx.run_subflow(request);
            StepResult r;
            r.outputs = sub.outputs.is_object() ? sub.outputs : json::object();
            r.output = r.outputs;
            r.outputs["execution_id"] = sub.execution_id;
            if (sub.status == "succeeded") {
                r.outcome = Outcome::succeeded;
            } else if (sub.status == "cancelled") {
                r.outcome = Outcome::cancelled;
                r.error = sub.error.empty() ? "sub-flow " + path + " was cancelled" : sub.error;
            } else if (sub.status == "timed_out") {
                r.outcome = Outcome::timed_out;
                r.error = sub.error.empty() ? "sub-flow " + path + " timed out" : sub.error;
            } else {
                r.outcome = Outcome::failed;
                r.error = "sub-flow " + path + " failed (execution " + sub.execution_id + ")";
                if (!sub.error.empty()) {
                    r.error += ": " + sub.error;
                }
            }
            return r;
        });
    }
};

}  // namespace

const StepType& flow_step_type() {
    static const FlowStep type;
    return type;
}

}  // namespace flowctl::steps
