// flowctl actions [TYPE]: the step types, each with its parameters, outputs and an example.
#include <cstdio>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"
#include "output/table.hpp"
#include "output/term.hpp"
#include "steps/step.hpp"
#include "util/spellcheck.hpp"

namespace flowctl::cli {

namespace {
void print_schema(const steps::StepSchema& s, bool color) {
    std::printf("%s: %s\n\n", bold(s.type, color).c_str(), s.summary.c_str());
    Table params({"PARAMETER", "TYPE", "REQUIRED", "DESCRIPTION"});
    for (const auto& p : s.params) {
        std::string desc = p.description;
        if (!p.enum_values.empty()) {
            desc += " (one of:";
            for (const auto& v : p.enum_values) desc += " " + v;
            desc += ")";
        }
        if (!p.default_value.is_null()) desc += " [default: " + p.default_value.dump() + "]";
        params.add_row({p.name + (p.name == s.primary ? " *" : ""), p.type, p.required ? "yes" : "", desc});
    }
    params.print(stdout, color);
    std::printf("\n* set by the short form `%s: VALUE`.", s.type.c_str());
    if (!s.sibling_params.empty()) {
        std::printf(" May also be written beside `%s:`:", s.type.c_str());
        for (const auto& p : s.sibling_params) std::printf(" %s", p.c_str());
        std::printf(".");
    }
    std::printf("\n\n");
    if (!s.outputs.empty()) {
        Table outputs({"OUTPUT", "TYPE", "DESCRIPTION"});
        for (const auto& o : s.outputs) outputs.add_row({o.name, o.type, o.description});
        outputs.print(stdout, color);
        std::printf("\n");
    }
    if (!s.example.empty()) std::printf("%s\n%s\n", bold("Example:", color).c_str(), s.example.c_str());
}
}  // namespace

CommandMain add_actions(Args app, Context& ctx) {
    auto type = std::make_shared<std::string>();
    auto cmd = app.subcommand("actions", "List the step types, or describe one (its JSON Schema with -o json)");
    cmd.option("type", *type, "A step type, e.g. http");
    add_output_flags(cmd, ctx);

    return [type, &ctx]() -> int {
        bool color = use_color(stdout, ctx.no_color);
        if (!type->empty()) {
            const auto* t = steps::find_step_type(*type);
            if (!t) {
                std::vector<std::string> names;
                for (const auto* st : steps::all_step_types()) names.push_back(st->schema().type);
                auto hint = util::did_you_mean(*type, names);
                throw CommandError(exit_not_found,
                                   "no step type '" + *type + "'" + (hint ? " (did you mean '" + *hint + "'?)" : ""));
            }
            if (ctx.json_output())
                print_json(steps::to_json_schema(t->schema()));
            else
                print_schema(t->schema(), color);
            return exit_ok;
        }
        if (ctx.json_output()) {
            json out = json::array();
            for (const auto* t : steps::all_step_types())
                out.push_back({{"type", t->schema().type},
                               {"summary", t->schema().summary},
                               {"schema", steps::to_json_schema(t->schema())}});
            print_json(out);
            return exit_ok;
        }
        if (ctx.quiet) {
            for (const auto* t : steps::all_step_types()) std::printf("%s\n", t->schema().type.c_str());
            return exit_ok;
        }
        Table table({"TYPE", "SUMMARY"});
        for (const auto* t : steps::all_step_types()) table.add_row({t->schema().type, t->schema().summary});
        table.print(stdout, color);
        return exit_ok;
    };
}

}  // namespace flowctl::cli
