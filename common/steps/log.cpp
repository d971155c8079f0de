// `log`: writes a message to the run's log.
#include "steps/param_values.hpp"
#include "steps/types.hpp"

namespace flowctl::steps {
namespace {

class LogStep final : public StepType {
public:
    const StepSchema& schema() const override {
        static const StepSchema s{
            .type = "log",
            .summary = "Write a message to the run's log",
            .primary = "message",
            .params =
                {
                    params::Spec("message", "string|number|boolean|object|array",
                                 "What to log; values other than strings are written as JSON")
                        .required(),
                    params::Spec("level", "string", "Log level")
                        .one_of({"debug", "info", "warn", "error"})
                        .default_to("info"),
                },
            .sibling_params = {"level"},
            .outputs = {},
            .example =
                "- id: announce\n"
                "  log: \"deploying ${{ inputs.version }}\"\n"
                "  level: warn\n",
        };
        return s;
    }

    bool runs_inline() const override { return true; }

    StepResult run(StepContext& ctx) const override {
        return params::guarded([&] {
            if (!ctx.params.is_object() || !ctx.params.contains("message")) {
                return params::failure("parameter 'message' is required");
            }
            std::string message = params::to_text(ctx.params["message"]);
            LogLevel level = LogLevel::info;
            if (auto text = params::get_string(ctx.params, "level")) {
                auto parsed = parse_log_level(*text);
                if (!parsed) {
                    return params::failure(
                        "parameter 'level' must be one of debug, info, warn, "
                        "error, got \"" +
                        *text + "\"");
                }
                level = *parsed;
            }
            if (ctx.log) {
                ctx.log(level, "step", message);
            }
            StepResult r;
            r.output = message;
            return r;
        });
    }
};

}  // namespace

const StepType& log_step_type() {
    static const LogStep type;
    return type;
}

}  // namespace flowctl::steps
