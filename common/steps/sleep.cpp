// `sleep`: waits for a duration, ending early (cancelled / timed out) when the run says so.
#include <algorithm>

#include "steps/param_values.hpp"
#include "steps/types.hpp"
#include "util/duration.hpp"

namespace flowctl::steps {
namespace {

class SleepStep final : public StepType {
public:
    const StepSchema& schema() const override {
        static const StepSchema s{
            .type = "sleep",
            .summary = "Wait for a while",
            .primary = "duration",
            .params =
                {
                    params::Spec("duration", "duration",
                                 "How long to wait: \"500ms\", \"5s\", \"1m30s\" or a number of "
                                 "seconds")
                        .required(),
                },
            .sibling_params = {},
            .outputs = {},
            .example =
                "- id: settle\n"
                "  sleep: 5s\n",
        };
        return s;
    }

    StepResult run(StepContext& ctx) const override {
        return params::guarded([&] {
            auto duration = params::get_duration(ctx.params, "duration");
            if (!duration) {
                return params::failure("parameter 'duration' is required");
            }
            auto wait = *duration;
            auto left = params::time_left(ctx);
            bool deadline_first = left && *left < wait;
            if (deadline_first) {
                wait = *left;
            }
            bool completed = true;
            if (ctx.cancel != nullptr) {
                completed = ctx.cancel->sleep_for(wait.count());
            } else {
                util::CancelToken never;
                never.sleep_for(wait.count());
            }
            if (!completed) {
                return params::failure("cancelled", Outcome::cancelled);
            }
            if (deadline_first) {
                return params::failure("timed out before the sleep of " + util::format_duration(*duration) + " ended",
                                       Outcome::timed_out);
            }
            StepResult r;
            r.output = nullptr;
            return r;
        });
    }
};

}  // namespace

const StepType& sleep_step_type() {
    static const SleepStep type;
    return type;
}

}  // namespace flowctl::steps
