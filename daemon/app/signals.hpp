#pragma once
// flowd takes its signals on the main thread, synchronously: SIGTERM, SIGINT and SIGHUP are
// blocked in every thread (block them before any thread starts: threads inherit the mask) and
// collected with sigwait(). SIGPIPE stays blocked, so a client that hangs up is a write error.
#include <signal.h>

namespace flowctl::daemon {

/// Blocks SIGTERM, SIGINT, SIGHUP and SIGPIPE in the calling thread (and the threads it starts).
void block_daemon_signals();

/// Waits for SIGTERM, SIGINT or SIGHUP and returns it.
int wait_for_daemon_signal();

}  // namespace flowctl::daemon
