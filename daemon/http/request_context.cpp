#include "http/request_context.hpp"

#include <cstdio>
#include <random>

namespace flowctl::daemon {

namespace {
thread_local RequestContext t_context;
}

std::string new_request_id() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "r-%016llx", static_cast<unsigned long long>(generator()));
    return buffer;
}

RequestContext& begin_request_context() {
    t_context = RequestContext{};
    t_context.id = new_request_id();
    t_context.started = std::chrono::steady_clock::now();
    return t_context;
}

RequestContext& current_request_context() {
    if (t_context.id.empty()) begin_request_context();
    return t_context;
}

}  // namespace flowctl::daemon
