#pragma once
// What the server knows about the request being handled on this thread. cpp-httplib handles a
// request on one thread from its first byte to its last, so the connection loop starts a
// context before each request and the hooks (routing, errors, logging) read it back.
#include <chrono>
#include <string>

#include "http/router.hpp"

namespace flowctl::daemon {

struct RequestContext {
    std::string id;  // "r-" + 16 hex digits
    std::chrono::steady_clock::time_point started;
    Scope scope = Scope::none;
    std::string token_id;
};

/// A new request id: "r-" followed by 16 random hex digits.
std::string new_request_id();

/// Starts a fresh context on this thread (new id, clock started) and returns it.
RequestContext& begin_request_context();
/// This thread's current context.
RequestContext& current_request_context();

}  // namespace flowctl::daemon
