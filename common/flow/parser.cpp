#include "flow/parser.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>
#include <tuple>

#include "flow/loader.hpp"
#include "flow/yaml_tree.hpp"
#include "util/ids.hpp"

namespace flowctl::flow {

namespace {

std::optional<Flow> load(std::string_view text, const std::string& path, std::vector<util::Diagnostic>& diags) {
    auto tree = detail::parse_yaml_tree(text, path, diags);
    if (!tree) return std::nullopt;
    if (!tree->is_map(tree->root)) {
        diags.push_back(
            {path, tree->pos(tree->root).line, tree->pos(tree->root).col, util::Severity::error,
             "a flow file must be a mapping with keys such as 'name' and 'steps', got " + tree->describe(tree->root)});
        return std::nullopt;
    }
    detail::Loader loader(*tree, path, diags);
    detail::build_flow(loader);
    detail::check_graph(loader);
    detail::check_expressions(loader);
    Flow flow = std::move(loader.flow);
    flow.source_path = path;
    flow.source_text = std::string(text);
    flow.hash = util::sha256_hex(text);
    return flow;
}

}  // namespace

std::optional<Flow> load_flow(std::string_view text, const std::string& path,
                              std::vector<util::Diagnostic>& diagnostics) {
    const size_t first = diagnostics.size();
    std::optional<Flow> flow;
    try {
        flow = load(text, path, diagnostics);
    } catch (const std::bad_alloc&) {
        diagnostics.push_back({path, 0, 0, util::Severity::error, "out of memory while loading the flow"});
    } catch (const std::exception& e) {
        diagnostics.push_back({path, 0, 0, util::Severity::error, std::string("internal error: ") + e.what()});
    } catch (...) {
        diagnostics.push_back({path, 0, 0, util::Severity::error, "internal error while loading the flow"});
    }
    // Report in file order, whichever pass found the problem.
    std::stable_sort(diagnostics.begin() + static_cast<std::ptrdiff_t>(first), diagnostics.end(),
                     [](const util::Diagnostic& a, const util::Diagnostic& b) {
                         return std::tie(a.line, a.col) < std::tie(b.line, b.col);
                     });
    std::vector<util::Diagnostic> mine(diagnostics.begin() + static_cast<std::ptrdiff_t>(first), diagnostics.end());
    if (util::has_errors(mine)) return std::nullopt;
    return flow;
}

std::optional<Flow> load_flow_file(const std::string& path, std::vector<util::Diagnostic>& diagnostics) {
    std::string text;
    try {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            diagnostics.push_back(
                {path, 0, 0, util::Severity::error, "cannot open the file: " + std::string(std::strerror(errno))});
            return std::nullopt;
        }
        in.seekg(0, std::ios::end);
        auto size = in.tellg();
        if (size > 0 && static_cast<size_t>(size) > detail::max_text_bytes) {
            diagnostics.push_back({path, 0, 0, util::Severity::error,
                                   "the file is larger than " + std::to_string(detail::max_text_bytes >> 20) + " MiB"});
            return std::nullopt;
        }
        in.seekg(0, std::ios::beg);
        std::ostringstream buffer;
        buffer << in.rdbuf();
        if (in.bad()) {
            diagnostics.push_back({path, 0, 0, util::Severity::error, "cannot read the file"});
            return std::nullopt;
        }
        text = std::move(buffer).str();
    } catch (const std::exception& e) {
        diagnostics.push_back({path, 0, 0, util::Severity::error, std::string("cannot read the file: ") + e.what()});
        return std::nullopt;
    }
    return load_flow(text, path, diagnostics);
}

}  // namespace flowctl::flow
