#include "proc/process.hpp"

#include <atomic>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <memory>

#include "proc/child_registry.hpp"
#include "proc/spawn.hpp"
#include "proc/stream_capture.hpp"

namespace flowctl::proc {

namespace {
std::atomic<int64_t> g_default_kill_grace_ms{2000};
}  // namespace

void set_default_kill_grace(std::chrono::milliseconds grace) { g_default_kill_grace_ms = grace.count(); }
std::chrono::milliseconds default_kill_grace() { return std::chrono::milliseconds(g_default_kill_grace_ms.load()); }
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t read_chunk = 64 * 1024;
// After the main process exits, how long to keep reading what its leftovers write.
constexpr auto drain_before_kill = std::chrono::milliseconds(100);
constexpr auto drain_after_kill = std::chrono::milliseconds(250);
// Without a pidfd (kernel < 5.3) the child's exit is polled this often.
constexpr int exit_poll_ms = 10;

int ms_until(Clock::time_point t) {
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(t - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(ms, 0, INT_MAX));
}

// A write to a pipe whose reader is gone raises SIGPIPE in this thread, and the parent may not
// ignore it: block it around the write and swallow the one the write raised.
ssize_t write_without_sigpipe(int fd, const char* data, size_t n) {
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    bool was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t written = ::write(fd, data, n);
    int saved = errno;
    if (written < 0 && saved == EPIPE && !was_pending) {
        timespec zero{0, 0};
        while (::sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    errno = saved;
    return written;
}

// Kills and reaps the child if run_process unwinds (e.g. on_line threw), so nothing leaks;
// on every path, hands the pid back to the orphan reaper once its status is collected.
struct ReapGuard {
    pid_t pid;
    bool reaped = false;
    ~ReapGuard() {
        if (!reaped) {
            ::kill(-pid, SIGKILL);
            while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
        forget_child(pid);
    }
};

class Supervisor {
public:
    Supervisor(const SpawnSpec& spec, SpawnedChild& child, ProcessResult& result)
        : m_spec(spec),
          m_child(child),
          m_result(result),
          m_out("stdout", spec.capture_cap, &spec.on_line),
          m_err("stderr", spec.capture_cap, &spec.on_line),
          m_buf(new char[read_chunk]) {
        if (m_child.in.valid() && (!spec.stdin_data || spec.stdin_data->empty())) m_child.in.reset();
        long fd = ::syscall(SYS_pidfd_open, m_child.pid, 0);
        if (fd >= 0) m_pidfd = UniqueFd(static_cast<int>(fd));
    }

    void run() {
        wait_for_exit();
        drain(drain_before_kill, /*stop_when_idle=*/true);
        // Background children left in the group would outlive the step: none may.
        ::kill(-m_child.pid, SIGKILL);
        drain(drain_after_kill, /*stop_when_idle=*/false);
        m_out.finish();
        m_err.finish();
        m_child.out.reset();
        m_child.err.reset();
        m_child.in.reset();
        m_pidfd.reset();
        m_result.stdout_text = std::move(m_out.text());
        m_result.stderr_text = std::move(m_err.text());
        m_result.stdout_truncated = m_out.truncated();
        m_result.stderr_truncated = m_err.truncated();
    }

private:
    void wait_for_exit() {
        bool cancel_armed = m_spec.cancel != nullptr;
        while (!m_exited) {
            pollfd fds[5];
            int n = 0, i_out = -1, i_err = -1, i_in = -1, i_cancel = -1, i_pid = -1;
            auto add = [&](int fd, short events, int& index) {
                index = n;
                fds[n++] = pollfd{fd, events, 0};
            };
            if (m_child.out.valid()) add(m_child.out.get(), POLLIN, i_out);
            if (m_child.err.valid()) add(m_child.err.get(), POLLIN, i_err);
            if (m_child.in.valid()) add(m_child.in.get(), POLLOUT, i_in);
            if (cancel_armed) add(m_spec.cancel->fd(), POLLIN, i_cancel);
            if (m_pidfd.valid()) add(m_pidfd.get(), POLLIN, i_pid);

            int timeout = -1;
            if (!m_signalled && m_spec.deadline) timeout = ms_until(*m_spec.deadline);
            if (m_kill_at) timeout = ms_until(*m_kill_at);
            if (!m_pidfd.valid()) timeout = timeout < 0 ? exit_poll_ms : std::min(timeout, exit_poll_ms);

            int ready = ::poll(fds, n, timeout);
            if (ready < 0 && errno != EINTR) break;  // cannot happen with valid fds; reap below
            if (ready > 0) {
                if (i_out >= 0 && fds[i_out].revents) read_from(m_child.out, m_out);
                if (i_err >= 0 && fds[i_err].revents) read_from(m_child.err, m_err);
                if (i_in >= 0 && fds[i_in].revents) write_stdin();
                if (i_cancel >= 0 && fds[i_cancel].revents) {
                    cancel_armed = false;  // the eventfd stays readable
                    if (!m_signalled) {
                        m_result.cancelled = true;
                        terminate();
                    }
                }
                if (i_pid >= 0 && fds[i_pid].revents) m_exited = true;
            }
            auto now = Clock::now();
            if (!m_signalled && m_spec.deadline && now >= *m_spec.deadline) {
                m_result.timed_out = true;
                terminate();
            }
            if (m_kill_at && now >= *m_kill_at) {
                ::kill(-m_child.pid, SIGKILL);
                m_kill_at.reset();
            }
            if (!m_pidfd.valid()) {
                siginfo_t info{};
                int rc = ::waitid(P_PID, m_child.pid, &info, WEXITED | WNOHANG | WNOWAIT);
                // ECHILD: someone else collected it (SIGCHLD ignored); it has exited all the same.
                if ((rc == 0 && info.si_pid != 0) || (rc < 0 && errno == ECHILD)) m_exited = true;
            }
        }
    }

    void terminate() {
        m_signalled = true;
        ::kill(-m_child.pid, SIGTERM);
        m_kill_at = Clock::now() + m_spec.kill_grace;
    }

    // Reads what is ready (the pipes are non-blocking); closes the pipe at EOF.
    void read_from(UniqueFd& fd, StreamCapture& capture) {
        for (int round = 0; round < 4 && fd.valid(); ++round) {
            ssize_t got = ::read(fd.get(), m_buf.get(), read_chunk);
            if (got > 0) {
                capture.feed({m_buf.get(), static_cast<size_t>(got)});
                if (static_cast<size_t>(got) < read_chunk) return;
            } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                fd.reset();
            } else if (errno == EAGAIN) {
                return;
            }
        }
    }

    void write_stdin() {
        const std::string& data = *m_spec.stdin_data;
        size_t n = std::min(read_chunk, data.size() - m_stdin_offset);
        ssize_t w = write_without_sigpipe(m_child.in.get(), data.data() + m_stdin_offset, n);
        if (w > 0) m_stdin_offset += static_cast<size_t>(w);
        // EPIPE: the child stopped reading, which is its business, not an error.
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || m_stdin_offset == data.size()) m_child.in.reset();
    }

    // Reads until both pipes reach EOF or the time is up; with stop_when_idle, also stops as
    // soon as nothing is ready (a grandchild may hold the pipes open without writing).
    void drain(std::chrono::milliseconds limit, bool stop_when_idle) {
        auto until = Clock::now() + limit;
        while (m_child.out.valid() || m_child.err.valid()) {
            pollfd fds[2];
            int n = 0, i_out = -1, i_err = -1;
            if (m_child.out.valid()) i_out = n, fds[n++] = pollfd{m_child.out.get(), POLLIN, 0};
            if (m_child.err.valid()) i_err = n, fds[n++] = pollfd{m_child.err.get(), POLLIN, 0};
            int left = ms_until(until);
            int ready = ::poll(fds, n, stop_when_idle ? 0 : left);
            if (ready < 0 && errno == EINTR) continue;
            if (ready <= 0) return;
            if (i_out >= 0 && fds[i_out].revents) read_from(m_child.out, m_out);
            if (i_err >= 0 && fds[i_err].revents) read_from(m_child.err, m_err);
            if (left == 0) return;
        }
    }

    const SpawnSpec& m_spec;
    SpawnedChild& m_child;
    ProcessResult& m_result;
    StreamCapture m_out;
    StreamCapture m_err;
    std::unique_ptr<char[]> m_buf;
    UniqueFd m_pidfd;
    size_t m_stdin_offset = 0;
    bool m_exited = false;
    bool m_signalled = false;
    std::optional<Clock::time_point> m_kill_at;
};

long long timeval_ms(const timeval& tv) { return tv.tv_sec * 1000LL + tv.tv_usec / 1000; }

}  // namespace

ProcessResult run_process(const SpawnSpec& spec) {
    ProcessResult result;
    if (spec.cancel && spec.cancel->cancelled()) {
        result.cancelled = true;
        result.error = "cancelled before start";
        return result;
    }
    SpawnedChild child;
    if (std::string err = spawn_child(spec, child); !err.empty()) {
        result.error = std::move(err);
        return result;
    }
    result.started = true;
    ReapGuard guard{child.pid};

    Supervisor(spec, child, result).run();

    int status = 0;
    rusage usage{};
    pid_t got;
    while ((got = ::wait4(child.pid, &status, 0, &usage)) < 0 && errno == EINTR) {
    }
    guard.reaped = true;
    if (got != child.pid) {  // someone else reaped it (SIGCHLD ignored): no status to report
        result.error = "exit status unavailable";
        return result;
    }
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
    result.cpu_ms = timeval_ms(usage.ru_utime) + timeval_ms(usage.ru_stime);
    result.max_rss_kb = usage.ru_maxrss;
    return result;
}

}  // namespace flowctl::proc
