// `run`: a script for a shell (or any interpreter), from a private temp file.
#include "steps/param_values.hpp"
#include "steps/process_step.hpp"
#include "steps/temp_file.hpp"
#include "steps/types.hpp"

namespace flowctl::steps {
namespace {

std::vector<std::string> split_on_spaces(std::string_view text) {
    std::vector<std::string> words;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') ++i;
        size_t start = i;
        while (i < text.size() && text[i] != ' ') ++i;
        if (i > start) words.emplace_back(text.substr(start, i - start));
    }
    return words;
}

// The command line for a script file, following GitHub Actions' `shell:` rules.
std::vector<std::string> shell_command(const std::string& shell, const std::string& file) {
    if (shell.empty()) return {"/bin/sh", "-e", file};
    if (shell == "sh") return {"sh", "-e", file};
    if (shell == "bash") return {"bash", "--noprofile", "--norc", "-eo", "pipefail", file};
    if (shell == "python" || shell == "python3") return {"python3", file};
    if (shell == "node") return {"node", file};
    auto words = split_on_spaces(shell);
    if (shell.find("{0}") != std::string::npos) {
        for (auto& w : words)
            for (size_t at = w.find("{0}"); at != std::string::npos; at = w.find("{0}", at + file.size()))
                w.replace(at, 3, file);
        return words;
    }
    words.push_back(file);
    return words;
}

// Some interpreters care about the extension (PowerShell refuses anything but .ps1).
std::string_view script_suffix(const std::string& shell) {
    if (shell.rfind("python", 0) == 0) return ".py";
    if (shell.rfind("node", 0) == 0) return ".js";
    if (shell.rfind("pwsh", 0) == 0 || shell.rfind("powershell", 0) == 0) return ".ps1";
    return ".sh";
}

class RunStep final : public StepType {
public:
    const StepSchema& schema() const override {
        static const StepSchema s = [] {
            StepSchema s;
            s.type = "run";
            s.summary = "Run a shell script (or a script for another interpreter)";
            s.primary = "script";
            s.params = {
                params::Spec("script", "string",
                             "The script. It is written to a private temporary file, never put on a command line, "
                             "and runs with `sh -e` unless `shell` says otherwise")
                    .required(),
                params::Spec("shell", "string",
                             "sh (the default: stops at the first failing command), bash (with pipefail), python, "
                             "node, any program name (run as `PROGRAM FILE`), or a command with {0} standing for "
                             "the script file"),
                params::Spec("stdin", "string", "Text fed to the script's standard input"),
            };
            s.sibling_params = {"shell", "stdin"};
            s.outputs = process_outputs("script");
            s.example =
                "- id: version\n"
                "  run: |\n"
                "    tag=$(git describe --tags)\n"
                "    echo \"tag=$tag\" >> \"$FLOWCTL_OUTPUT\"\n"
                "  shell: bash\n";
            return s;
        }();
        return s;
    }

    StepResult run(StepContext& ctx) const override {
        auto script = ctx.params.find("script");
        if (script == ctx.params.end() || !script->is_string())
            return params::failure("run: `script` must be a string");
        std::string shell;
        if (auto it = ctx.params.find("shell"); it != ctx.params.end() && !it->is_null()) {
            if (!it->is_string()) return params::failure("run: `shell` must be a string");
            shell = it->get<std::string>();
        }
        std::string error;
        auto file =
            TempFile::create("flowctl-script-", script_suffix(shell), script->get_ref<const std::string&>(), error);
        if (!file) return params::failure(error);
        return run_process_step(ctx, shell_command(shell, file->path()), stdin_param(ctx.params));
    }
};

}  // namespace

const StepType& run_step_type() {
    static const RunStep type;
    return type;
}

}  // namespace flowctl::steps
