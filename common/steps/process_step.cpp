#include "steps/process_step.hpp"

#include <signal.h>
#include <string.h>

#include "proc/process.hpp"
#include "steps/output_file.hpp"
#include "steps/param_values.hpp"
#include "steps/temp_file.hpp"

namespace flowctl::steps {
namespace {

// Longest stderr excerpt put into an error message.
constexpr size_t max_error_line = 300;

std::string last_nonempty_line(std::string_view text) {
    while (!text.empty()) {
        size_t nl = text.find_last_of('\n', text.size() - 1);
        std::string_view line = nl == std::string_view::npos ? text : text.substr(nl + 1);
        size_t end = line.find_last_not_of(" \t\r");
        if (end != std::string_view::npos) {
            line = line.substr(0, end + 1);
            std::string out(line.substr(0, max_error_line));
            if (line.size() > max_error_line) out += "...";
            return out;
        }
        if (nl == std::string_view::npos) break;
        text = text.substr(0, nl);
    }
    return "";
}

std::string signal_description(int sig) {
    const char* abbrev = ::sigabbrev_np(sig);
    std::string text = "killed by signal " + std::to_string(sig);
    if (abbrev) text += std::string(" (SIG") + abbrev + ")";
    return text;
}

// `output` is stdout without its last newline, or its JSON value when it holds an object or
// array; an object's members become outputs.
void set_output(StepResult& result, const proc::ProcessResult& pr) {
    std::string text = pr.stdout_text;
    if (pr.stdout_truncated) {
        result.output = text + std::string(proc::truncation_marker);
        return;
    }
    if (!text.empty() && text.back() == '\n') text.pop_back();
    size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && (text[first] == '{' || text[first] == '[')) {
        json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (!parsed.is_discarded()) {
            if (parsed.is_object())
                for (auto& [k, v] : parsed.items()) result.outputs[k] = v;
            result.output = std::move(parsed);
            return;
        }
    }
    result.output = std::move(text);
}

void log_line(StepContext& ctx, LogLevel level, std::string_view stream, std::string_view line) {
    if (ctx.log) ctx.log(level, stream, line);
}

}  // namespace

std::vector<ParamSpec> process_outputs(const std::string& what) {
    return {
        // The exit code is steps.<id>.exit_code, beside output and outputs, not one of the outputs.
        params::Spec("output", "string|object|array",
                     "Standard output without its final newline; parsed when it is a JSON object or array"),
        params::Spec("outputs.<key>", "string",
                     "The members of a JSON object printed on standard output, then each `key=value` line (or "
                     "`key<<EOF` ... `EOF` block) the " +
                         what + " appends to the file named by $FLOWCTL_OUTPUT"),
    };
}

std::optional<std::string> stdin_param(const json& params) {
    auto it = params.find("stdin");
    if (it == params.end() || it->is_null()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    return it->dump();
}

StepResult run_process_step(StepContext& ctx, const std::vector<std::string>& argv,
                            const std::optional<std::string>& stdin_data) {
    std::string error;
    auto output_file = TempFile::create("flowctl-output-", "", "", error);
    if (!output_file) return params::failure(error);

    proc::SpawnSpec spec;
    spec.argv = argv;
    spec.env = ctx.env;
    spec.env["FLOWCTL_OUTPUT"] = output_file->path();
    spec.cwd = ctx.cwd;
    spec.stdin_data = stdin_data;
    spec.capture_cap = ctx.output_cap;
    spec.deadline = ctx.deadline;
    spec.cancel = ctx.cancel;
    if (ctx.log)
        spec.on_line = [&ctx](std::string_view stream, std::string_view line) {
            ctx.log(LogLevel::info, stream, line);
        };

    proc::ProcessResult pr = proc::run_process(spec);

    StepResult result;
    result.cpu_ms = pr.cpu_ms;
    result.max_rss_kb = pr.max_rss_kb;
    if (pr.exit_code >= 0) result.exit_code = pr.exit_code;
    set_output(result, pr);

    bool complete = true;
    std::string file_text = output_file->read(ctx.output_cap, complete);
    if (!complete)
        log_line(ctx, LogLevel::warn, "step",
                 "FLOWCTL_OUTPUT is larger than " + std::to_string(ctx.output_cap) + " bytes; the rest is ignored");
    std::vector<std::string> warnings;
    json file_outputs = parse_output_file(file_text, warnings);
    for (const auto& w : warnings) log_line(ctx, LogLevel::warn, "step", w);
    for (auto& [k, v] : file_outputs.items()) result.outputs[k] = v;

    if (!pr.started) {
        result.outcome = pr.cancelled ? Outcome::cancelled : Outcome::failed;
        result.error = pr.error;
    } else if (pr.timed_out) {
        result.outcome = Outcome::timed_out;
        result.error = "timed out";
    } else if (pr.cancelled) {
        result.outcome = Outcome::cancelled;
        result.error = "cancelled";
    } else if (pr.term_signal != 0) {
        result.outcome = Outcome::failed;
        result.error = signal_description(pr.term_signal);
    } else if (pr.exit_code != 0) {
        result.outcome = Outcome::failed;
        result.error = pr.exit_code < 0 ? (pr.error.empty() ? "exit status unavailable" : pr.error)
                                        : "exit code " + std::to_string(pr.exit_code);
        if (std::string line = last_nonempty_line(pr.stderr_text); !line.empty()) result.error += ": " + line;
    }
    return result;
}

}  // namespace flowctl::steps
