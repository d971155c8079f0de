#include "app/signals.hpp"

#include <pthread.h>

#include <cerrno>

namespace flowctl::daemon {

namespace {
sigset_t handled_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
}
}  // namespace

void block_daemon_signals() {
    sigset_t set = handled_signals();
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int wait_for_daemon_signal() {
    sigset_t set = handled_signals();
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) == 0) return sig;
    }
}

}  // namespace flowctl::daemon
