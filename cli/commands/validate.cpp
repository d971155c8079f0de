// flowctl validate FILE...: every problem of every file, as FILE:LINE:COL: error: message.
#include <cstdio>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "flow/parser.hpp"
#include "output/records.hpp"

namespace flowctl::cli {

CommandMain add_validate(Args app, Context& ctx) {
    auto files = std::make_shared<std::vector<std::string>>();
    auto cmd = app.subcommand("validate", "Check flow files and report every problem with its line and column");
    cmd.option("files", *files, "Flow files").required();
    add_output_flags(cmd, ctx);

    return [files, &ctx]() -> int {
        bool all_valid = true;
        json report = json::array();
        for (const auto& file : *files) {
            std::vector<util::Diagnostic> diags;
            auto flow = flow::load_flow_file(file, diags);
            bool valid = flow.has_value() && !util::has_errors(diags);
            all_valid = all_valid && valid;
            if (ctx.json_output()) {
                json problems = json::array();
                for (const auto& d : diags)
                    problems.push_back({{"file", d.file},
                                        {"line", d.line},
                                        {"column", d.col},
                                        {"severity", d.severity == util::Severity::error ? "error" : "warning"},
                                        {"message", d.message}});
                report.push_back({{"file", file}, {"valid", valid}, {"diagnostics", problems}});
                continue;
            }
            // Findings are this command's output, so they go to stdout (like linters do).
            print_diagnostics(diags, stdout, ctx);
            if (valid && !ctx.quiet) std::printf("%s: ok (%zu steps)\n", file.c_str(), flow->steps.size());
        }
        if (ctx.json_output()) print_json(report);
        return all_valid ? exit_ok : exit_failed;
    };
}

}  // namespace flowctl::cli
