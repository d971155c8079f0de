// The orphan reaper: a child subreaper collects every descendant whose parent died before it.
//
// How it avoids taking an exit status run_process waits for: run_process children are
// registered (child_registry) under the lock held across their posix_spawn. The reaper peeks at
// the next zombie with waitid(P_ALL, WEXITED | WNOHANG | WNOWAIT), which leaves it waitable,
// and under the same lock collects it with waitpid(pid) only when it is not registered. A
// registered zombie is left alone; since the kernel keeps offering it first, the reaper stops
// there until run_process has collected it and calls forget_child(), which wakes the reaper.
// (/proc/self/task/*/children would list every child, but it needs CONFIG_PROC_CHILDREN.)
//
// Waking: SIGCHLD cannot be waited for from one thread without blocking it in all of them
// (signalfd), and the process's threads belong to others, so the reaper polls every 200 ms
// and is also woken whenever run_process collects a child.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cerrno>
#include <thread>
#include <unordered_set>

#include "proc/child_registry.hpp"
#include "proc/process.hpp"

namespace flowctl::proc {
namespace {

constexpr auto reap_interval = std::chrono::milliseconds(200);

// Never destroyed: spawning threads and the reaper may outlive static destruction.
struct Registry {
    std::mutex mutex;
    std::unordered_set<pid_t> live;
    std::condition_variable wake;
    bool woken = false;
    std::atomic<uint64_t> reaped{0};
};

Registry& registry() {
    static Registry* r = new Registry;
    return *r;
}

/// Collects every waitable orphan; stops at the first zombie that belongs to run_process.
void reap_orphans(Registry& r) {
    for (;;) {
        siginfo_t info{};
        if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT | __WALL) != 0) return;  // ECHILD: none
        if (info.si_pid == 0) return;  // children, but none has exited
        std::lock_guard lock(r.mutex);
        if (r.live.count(info.si_pid)) return;
        pid_t got;
        while ((got = ::waitpid(info.si_pid, nullptr, WNOHANG | __WALL)) < 0 && errno == EINTR) {
        }
        if (got != info.si_pid) return;  // reaped elsewhere meanwhile; look again at the next wake
        r.reaped.fetch_add(1, std::memory_order_relaxed);
    }
}

[[noreturn]] void reaper_loop() {
    Registry& r = registry();
    for (;;) {
        reap_orphans(r);
        std::unique_lock lock(r.mutex);
        r.wake.wait_for(lock, reap_interval, [&] { return r.woken; });
        r.woken = false;
    }
}

}  // namespace

std::mutex& child_registry_mutex() { return registry().mutex; }

void register_child_locked(pid_t pid) { registry().live.insert(pid); }

void forget_child(pid_t pid) {
    Registry& r = registry();
    {
        std::lock_guard lock(r.mutex);
        r.live.erase(pid);
        r.woken = true;
    }
    r.wake.notify_one();
}

void start_orphan_reaper() {
    static std::once_flag once;
    std::call_once(once, [] {
        ::prctl(PR_SET_CHILD_SUBREAPER, 1);
        // The reaper takes no signals: they stay with the threads that expect them.
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        std::thread(reaper_loop).detach();
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
    });
}

uint64_t orphans_reaped() { return registry().reaped.load(std::memory_order_relaxed); }

}  // namespace flowctl::proc
