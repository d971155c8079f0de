// `cmd`: a program and its arguments, without a shell.
#include "steps/param_values.hpp"
#include "steps/process_step.hpp"
#include "steps/types.hpp"

namespace flowctl::steps {
namespace {

class CmdStep final : public StepType {
public:
    const StepSchema& schema() const override {
        static const StepSchema s = [] {
            StepSchema s;
            s.type = "cmd";
            s.summary = "Run a program with arguments, without a shell";
            s.primary = "argv";
            s.params = {
                params::Spec("argv", "array",
                             "The program (looked up in PATH) and its arguments, each passed as is: no word "
                             "splitting, globbing or quoting")
                    .required(),
                params::Spec("stdin", "string", "Text fed to the program's standard input"),
            };
            s.sibling_params = {"stdin"};
            s.outputs = process_outputs("program");
            s.example =
                "- id: count\n"
                "  cmd: [wc, -l, \"${{ inputs.file }}\"]\n";
            return s;
        }();
        return s;
    }

    StepResult run(StepContext& ctx) const override {
        auto it = ctx.params.find("argv");
        if (it == ctx.params.end() || !it->is_array() || it->empty())
            return params::failure("cmd: `argv` must be a non-empty list of strings");
        std::vector<std::string> argv;
        for (const auto& arg : *it) {
            if (arg.is_string())
                argv.push_back(arg.get<std::string>());
            else if (arg.is_number())
                argv.push_back(arg.dump());
            else
                return params::failure("cmd: argv[" + std::to_string(argv.size()) + "] must be a string, not " +
                                       std::string(arg.type_name()));
        }
        return run_process_step(ctx, argv, stdin_param(ctx.params));
    }
};

}  // namespace

const StepType& cmd_step_type() {
    static const CmdStep type;
    return type;
}

}  // namespace flowctl::steps
