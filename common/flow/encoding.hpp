#pragma once
// Rejects bytes YAML does not allow before yaml-cpp sees them: invalid UTF-8 and control
// characters (binary files mostly), with the position of the first one.
#include <optional>
#include <string>
#include <string_view>

namespace flowctl::flow::detail {

struct EncodingProblem {
    int line = 0;  // 1-based
    int col = 0;   // 1-based, in bytes
    std::string message;
};

std::optional<EncodingProblem> find_encoding_problem(std::string_view text);

}  // namespace flowctl::flow::detail
