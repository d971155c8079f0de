#include "api/api_json.hpp"

#include <array>

#include "http/api_error.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

json time_or_null(int64_t epoch_ms) { return epoch_ms > 0 ? json(util::format_rfc3339(epoch_ms)) : json(nullptr); }

store::ExecutionRecord find_execution(store::Store& store, std::string_view id_or_prefix) {
    std::optional<store::ExecutionRecord> found;
    try {
        found = store.get_execution(id_or_prefix);
    } catch (const store::StoreError& e) {
        throw bad_request(e.what());
    }
    if (!found) throw not_found("no execution '" + std::string(id_or_prefix) + "'");
    return *found;
}

bool is_final_status(std::string_view status) { return status != "pending" && status != "running"; }

bool is_execution_status(std::string_view status) {
    static constexpr std::array<std::string_view, 8> statuses{"pending",   "running",   "succeeded",   "failed",
                                                              "cancelled", "timed_out", "interrupted", "skipped"};
    for (auto s : statuses)
        if (s == status) return true;
    return false;
}

}  // namespace flowctl::daemon
