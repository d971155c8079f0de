// flowctl get NAME: one installed flow: status, file, version, triggers, inputs, stats, problems.
#include <cstdio>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"
#include "output/table.hpp"
#include "output/term.hpp"
#include "util/duration.hpp"
#include "util/time.hpp"

namespace flowctl::cli {

namespace {
struct GetArgs {
    std::string name;
    bool definition = false;
};

std::string short_json(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

void print_flow(const json& f, const Context& ctx) {
    bool color = use_color(stdout, ctx.no_color);
    int64_t now = util::now_ms();
    auto field = [&](const char* name, const std::string& value) {
        if (!value.empty()) std::printf("%s %s\n", bold(std::string(name) + ":", color).c_str(), value.c_str());
    };
    std::string status = str_field(f, "status");
    field("Flow", str_field(f, "name"));
    field("Description", str_field(f, "description"));
    field("Status", color_as(status,
                             status == "ok"         ? "succeeded"
                             : status == "disabled" ? "skipped"
                                                    : "failed",
                             color));
    field("Path", str_field(f, "path"));
    std::string version = f.contains("version_id") && f["version_id"].is_number()
                              ? std::to_string(int_field(f, "version_id"))
                              : std::string();
    std::string hash = str_field(f, "hash");
    if (!hash.empty()) version += (version.empty() ? "" : " ") + ("(" + hash.substr(0, 12) + ")");
    field("Version", version);
    std::string tags;
    if (f.contains("tags") && f["tags"].is_array())
        for (const auto& t : f["tags"])
            if (t.is_string()) tags += (tags.empty() ? "" : ", ") + t.get<std::string>();
    field("Tags", tags);
    if (int64_t loaded = api_time_ms(f.value("loaded_at", json())))
        field("Loaded", util::format_local(loaded) + " (" + util::format_ago(loaded, now) + ")");
    field("Steps", std::to_string(int_field(f, "steps")));

    if (f.contains("triggers") && f["triggers"].is_array() && !f["triggers"].empty()) {
        std::printf("%s\n", bold("Triggers:", color).c_str());
        for (const auto& t : f["triggers"]) {
            std::string spec = t.contains("spec") && !t["spec"].is_null()
                                   ? (t["spec"].is_string() ? t["spec"].get<std::string>() : short_json(t["spec"]))
                                   : "";
            std::string next;
            if (int64_t at = api_time_ms(t.value("next_fire_at", json()))) next = "  next " + util::format_local(at);
            std::printf("  %s %s%s\n", str_field(t, "type").c_str(), spec.c_str(), dim(next, color).c_str());
        }
    }
    if (f.contains("inputs") && f["inputs"].is_object() && !f["inputs"].empty()) {
        Table inputs({"INPUT", "TYPE", "REQUIRED", "DEFAULT", "DESCRIPTION"});
        for (const auto& [name, spec] : f["inputs"].items()) {
            std::string def = spec.contains("default") && !spec["default"].is_null() ? short_json(spec["default"]) : "";
            bool required = spec.value("required", false);
            inputs.add_row({name + (spec.value("secret", false) ? " (secret)" : ""), str_field(spec, "type"),
                            required ? "yes" : "no", def, str_field(spec, "description")});
        }
        std::printf("\n");
        inputs.print(stdout, color);
    }
    if (f.contains("stats") && f["stats"].is_object()) {
        const json& s = f["stats"];
        std::string line = std::to_string(int_field(s, "runs_total")) +
                           " runs: " + std::to_string(int_field(s, "succeeded")) + " succeeded, " +
                           std::to_string(int_field(s, "failed")) + " failed, " +
                           std::to_string(int_field(s, "cancelled")) + " cancelled";
        if (s.contains("avg_duration_ms") && s["avg_duration_ms"].is_number() && int_field(s, "runs_total") > 0)
            line += "; average " +
                    util::format_duration(util::Millis(static_cast<int64_t>(s["avg_duration_ms"].get<double>())));
        std::printf("\n");
        field("Runs", line);
        if (s.contains("last_run") && s["last_run"].is_object()) {
            const json& r = s["last_run"];
            int64_t at = api_time_ms(r.value("started_at", json()));
            field("Last run", str_field(r, "id") + " " + color_status(str_field(r, "status"), color) +
                                  (at ? " " + util::format_ago(at, now) : ""));
        }
    }
    auto problems = api_diagnostics(f.value("errors", json()));
    auto warnings = api_diagnostics(f.value("warnings", json()));
    problems.insert(problems.end(), warnings.begin(), warnings.end());
    if (!problems.empty()) {
        std::printf("\n");
        std::fflush(stdout);
        print_diagnostics(problems, stdout, ctx);
    }
}
}  // namespace

CommandMain add_get(Args app, Context& ctx) {
    auto a = std::make_shared<GetArgs>();
    auto cmd = app.subcommand("get", "Show an installed flow: status, file, triggers, inputs, runs, problems");
    cmd.option("name", a->name, "The flow's name").required();
    cmd.flag("--definition", a->definition, "Print only the flow's YAML (the live version)");
    add_output_flags(cmd, ctx);

    return [a, &ctx]() -> int {
        json flow = ctx.call("GET", "/api/v1/flows/" + url_part(a->name));
        if (a->definition) {
            std::string text = str_field(flow, "definition");
            std::fwrite(text.data(), 1, text.size(), stdout);
            if (!text.empty() && text.back() != '\n') std::fputc('\n', stdout);
            return exit_ok;
        }
        if (ctx.json_output()) {
            print_json(flow);
            return exit_ok;
        }
        if (ctx.quiet) {
            std::printf("%s\n", str_field(flow, "name").c_str());
            return exit_ok;
        }
        print_flow(flow, ctx);
        return exit_ok;
    };
}

}  // namespace flowctl::cli
