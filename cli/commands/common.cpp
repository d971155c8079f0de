#include "commands/common.hpp"

#include <fstream>
#include <sstream>

#include "client/http_client.hpp"
#include "exit_codes.hpp"
#include "output/term.hpp"
#include "util/time.hpp"

namespace flowctl::cli {

void add_output_flags(Args cmd, Context& ctx) {
    cmd.option("-o,--output", ctx.output, "Output format: table or json").one_of({"table", "json"});
    cmd.flag("-q,--quiet", ctx.quiet, "Print ids only (one per line), for xargs");
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

json parse_key_values(const std::vector<std::string>& pairs, json into) {
    for (const auto& kv : pairs) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) throw CommandError(exit_usage, "input '" + kv + "' must be key=value");
        into[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return into;
}

json read_input_object(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw CommandError(exit_usage, "cannot read input file " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    json value = json::parse(ss.str(), nullptr, false);
    if (value.is_discarded() || !value.is_object())
        throw CommandError(exit_usage, "input file " + path + " must hold a JSON object");
    return value;
}

std::string str_field(const json& object, const char* key) {
    if (!object.is_object()) return {};
    auto it = object.find(key);
    if (it == object.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

int64_t int_field(const json& object, const char* key, int64_t fallback) {
    if (!object.is_object()) return fallback;
    auto it = object.find(key);
    if (it == object.end() || !it->is_number()) return fallback;
    return it->get<int64_t>();
}

int64_t api_time_ms(const json& value) {
    if (!value.is_string()) return 0;
    return util::parse_time(value.get<std::string>(), util::now_ms()).value_or(0);
}

std::vector<util::Diagnostic> api_diagnostics(const json& list, const std::string& file) {
    std::vector<util::Diagnostic> out;
    if (!list.is_array()) return out;
    for (const auto& d : list) {
        util::Diagnostic diag;
        diag.file = file.empty() ? str_field(d, "file") : file;
        diag.line = static_cast<int>(int_field(d, "line"));
        diag.col = static_cast<int>(int_field(d, "col"));
        diag.severity = str_field(d, "severity") == "warning" ? util::Severity::warning : util::Severity::error;
        diag.message = str_field(d, "message");
        out.push_back(std::move(diag));
    }
    return out;
}

std::string url_part(const std::string& text) { return client::url_encode(text); }

}  // namespace flowctl::cli
