#pragma once
#include <optional>
#include <string>
#include <vector>

#include "flow/parser.hpp"
#include "util/diagnostic.hpp"

namespace flowctl::flow::test {

struct Loaded {
    std::optional<Flow> flow;
    std::vector<util::Diagnostic> diags;

    /// Every diagnostic as "FILE:LINE:COL: error: message".
    std::vector<std::string> lines() const {
        std::vector<std::string> out;
        for (const auto& d : diags) out.push_back(util::format_diagnostic(d));
        return out;
    }
};

inline Loaded load(const std::string& text, const std::string& path = "flow.yaml") {
    Loaded l;
    l.flow = load_flow(text, path, l.diags);
    return l;
}

}  // namespace flowctl::flow::test
