#include "core/concurrency_policy.hpp"

namespace flowctl::daemon {

int active_limit(const flow::Flow& flow) {
    if (flow.concurrency == "allow" || flow.concurrency.empty()) return 0;
    return flow.max_active > 0 ? flow.max_active : 1;
}

Admission admit(const flow::Flow& flow, const std::vector<std::string>& active) {
    Admission admission;
    const int limit = active_limit(flow);
    if (limit == 0 || active.size() < static_cast<size_t>(limit)) return admission;

    if (flow.concurrency == "forbid") {
        admission.skip = true;
        std::string ids;
        for (const auto& id : active) ids += (ids.empty() ? "" : ", ") + id;
        admission.reason = "concurrency: forbid, " + std::to_string(active.size()) + " active (" + ids + ")";
    } else if (flow.concurrency == "replace") {
        // Enough of the oldest go that the new run makes the limit, not more.
        const size_t excess = active.size() - static_cast<size_t>(limit) + 1;
        admission.replace.assign(active.begin(), active.begin() + static_cast<std::ptrdiff_t>(excess));
    } else {
        admission.waits = true;
    }
    return admission;
}

}  // namespace flowctl::daemon
