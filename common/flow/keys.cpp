// The format's key lists: the single source of truth for validation, did-you-mean and docs.
#include "flow/parser.hpp"

namespace flowctl::flow {

const std::vector<std::string>& flow_keys() {
    static const std::vector<std::string> keys = {
        "name",         "description", "tags",        "inputs",     "env",      "defaults", "timeout",
        "max_parallel", "fail_fast",   "concurrency", "max_active", "triggers", "steps",    "outputs",
    };
    return keys;
}

const std::vector<std::string>& step_common_keys() {
    static const std::vector<std::string> keys = {
        "id",  "name", "needs",   "if", "for_each", "max_parallel", "retry", "timeout", "continue_on_error",
        "env", "cwd",  "outputs",
    };
    return keys;
}

}  // namespace flowctl::flow
