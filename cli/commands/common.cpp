#include "commands/common.hpp"

#include "exit_codes.hpp"
#include "output/term.hpp"

namespace flowctl::cli {

void add_output_flags(CLI::App* cmd, Context& ctx) {
    cmd->add_option("-o,--output", ctx.output, "Output format: table or json")->check(CLI::IsMember({"table", "json"}));
    cmd->add_flag("-q,--quiet", ctx.quiet, "Print ids only (one per line), for xargs");
}

void print_diagnostics(const std::vector<util::Diagnostic>& diags, std::FILE* out, const Context& ctx) {
    bool color = use_color(out, ctx.no_color);
    for (const auto& d : diags) {
        std::string line = util::format_diagnostic(d);
        if (color) {
            bool error = d.severity == util::Severity::error;
            std::string word = error ? " error: " : " warning: ";
            if (auto pos = line.find(word); pos != std::string::npos)
                line.replace(pos, word.size(),
                             " " + color_as(word.substr(1, word.size() - 2), error ? "failed" : "running", true) + " ");
        }
        std::fprintf(out, "%s\n", line.c_str());
    }
}

store::ExecutionRecord find_execution(Context& ctx, const std::string& id) {
    std::optional<store::ExecutionRecord> e;
    auto& store = ctx.store();
    try {
        e = store.get_execution(id);
    } catch (const store::StoreError& err) {
        throw CommandError(exit_usage, err.what());
    }
    if (!e) throw CommandError(exit_not_found, "no execution '" + id + "' (see flowctl history)");
    return *e;
}

}  // namespace flowctl::cli
