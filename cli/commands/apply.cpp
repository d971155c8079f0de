// flowctl apply -f FILE...: install or update flows in the daemon from files.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"
#include "output/term.hpp"

namespace flowctl::cli {

namespace {
std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CommandError(exit_usage, "cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

CommandMain add_apply(Args app, Context& ctx) {
    auto files = std::make_shared<std::vector<std::string>>();
    auto cmd = app.subcommand("apply", "Install or update flows in the daemon from YAML files");
    cmd.option("-f,--file", *files, "A flow file (repeatable)").required();
    add_output_flags(cmd, ctx);

    return [files, &ctx]() -> int {
        bool color = use_color(stdout, ctx.no_color);
        bool any_invalid = false;
        json results = json::array();
        for (const auto& file : *files) {
            json body = {{"content", read_file(file)}, {"filename", std::filesystem::path(file).filename().string()}};
            json answer;
            try {
                answer = ctx.call("POST", "/api/v1/flows", body);
            } catch (const client::ApiError& e) {
                if (e.status != 422) throw;
                any_invalid = true;
                auto diags = api_diagnostics(e.details.value("diagnostics", json()), file);
                if (diags.empty()) diags.push_back({file, 0, 0, util::Severity::error, e.what()});
                print_diagnostics(diags, stderr, ctx);
                results.push_back(
                    {{"file", file}, {"error", {{"code", e.code}, {"message", e.what()}, {"details", e.details}}}});
                continue;
            }
            const json& flow = answer["flow"];
            print_diagnostics(api_diagnostics(flow.value("warnings", json()), file), stderr, ctx);
            std::string name = str_field(flow, "name");
            std::string what = answer.value("created", false)   ? "created"
                               : answer.value("changed", false) ? "updated"
                                                                : "unchanged";
            if (ctx.quiet)
                std::printf("%s\n", name.c_str());
            else if (!ctx.json_output())
                std::printf("flow %s %s (%s)\n", bold(name, color).c_str(),
                            color_as(what, what == "unchanged" ? "skipped" : "succeeded", color).c_str(), file.c_str());
            results.push_back(answer);
        }
        if (ctx.json_output()) print_json(results.size() == 1 ? results[0] : results);
        return any_invalid ? exit_failed : exit_ok;
    };
}

}  // namespace flowctl::cli
