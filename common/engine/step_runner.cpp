#include "engine/step_runner.hpp"

#include <algorithm>
#include <mutex>
#include <string>

#include "util/time.hpp"

namespace flowctl::engine {
namespace {

using Clock = std::chrono::steady_clock;

/// Keeps at most `cap` bytes of log lines of one attempt and counts the lines past it.
/// Step types may log from helper threads, hence the lock.
struct LogLimiter {
    std::mutex mutex;
    size_t cap = 0;
    size_t kept = 0;
    long long dropped = 0;

    bool accept(size_t bytes) {
        std::lock_guard lock(mutex);
        if (dropped == 0 && kept + bytes <= cap) {
            kept += bytes;
            return true;
        }
        ++dropped;
        return false;
    }
};

Message message(Message::Kind kind, int unit, int attempt, int64_t ts_ms) {
    Message m;
    m.kind = kind;
    m.unit = unit;
    m.attempt = attempt;
    m.ts_ms = ts_ms;
    return m;
}

Message log_message(int unit, int attempt, steps::LogLevel level, std::string_view stream, std::string text) {
    Message m = message(Message::Kind::log, unit, attempt, util::now_ms());
    m.level = level;
    m.stream = std::string(stream);
    m.text = std::move(text);
    return m;
}

bool retryable(const steps::StepResult& r) {
    return r.outcome == steps::Outcome::failed || r.outcome == steps::Outcome::timed_out;
}

}  // namespace

util::Millis retry_delay(const flow::RetryPolicy& policy, int failed_attempt) {
    long long base = std::max<long long>(0, policy.delay.count());
    long long ms = base;
    if (policy.backoff == flow::Backoff::exponential) {
        int doublings = std::clamp(failed_attempt - 1, 0, 62);
        const long long limit = 1LL << 50;  // far beyond any sensible delay, far from overflow
        for (int i = 0; i < doublings && ms < limit; ++i) ms *= 2;
        ms = std::min(ms, limit);
    }
    if (policy.max_delay) ms = std::min<long long>(ms, std::max<long long>(0, policy.max_delay->count()));
    return util::Millis(ms);
}

void run_unit(UnitJob& job, Mailbox& mailbox) {
    const int attempts = std::max(1, job.retry.attempts);
    // A step type may change its params in place; every attempt starts from the same ones.
    const json params = attempts > 1 ? job.context.params : json();
    steps::StepContext& ctx = job.context;
    for (int n = 1;; ++n) {
        if (n > 1) ctx.params = params;
        const int64_t started = util::now_ms();
        const auto started_steady = Clock::now();
        mailbox.push(message(Message::Kind::attempt_started, job.unit, n, started));

        ctx.env["FLOWCTL_ATTEMPT"] = std::to_string(n);
        ctx.cancel = job.cancel.get();
        ctx.deadline.reset();
        if (job.timeout) ctx.deadline = started_steady + *job.timeout;
        // A step started after the flow deadline (a cleanup step) gets only its own timeout.
        if (job.flow_deadline && *job.flow_deadline > started_steady)
            ctx.deadline = ctx.deadline ? std::min(*ctx.deadline, *job.flow_deadline) : *job.flow_deadline;

        auto limiter = std::make_shared<LogLimiter>();
        limiter->cap = ctx.output_cap;
        const int unit = job.unit;
        ctx.log = [&mailbox, limiter, unit, n](steps::LogLevel level, std::string_view stream, std::string_view line) {
            if (!limiter->accept(line.size() + 1)) return;
            mailbox.push(log_message(unit, n, level, stream, std::string(line)));
        };

        steps::StepResult result;
        try {
            result = job.type->run(ctx);
        } catch (const std::exception& e) {
            result = {};
            result.outcome = steps::Outcome::failed;
            result.error = std::string("step type error: ") + e.what();
        } catch (...) {
            result = {};
            result.outcome = steps::Outcome::failed;
            result.error = "step type error: unknown exception";
        }
        ctx.log = nullptr;  // drops the closure's reference to the limiter
        long long dropped;
        {
            std::lock_guard lock(limiter->mutex);
            dropped = limiter->dropped;
        }
        if (dropped > 0) {
            mailbox.push(log_message(unit, n, steps::LogLevel::warn, "engine",
                                     "[... " + std::to_string(dropped) + " more lines not recorded ...]"));
        }

        const bool again = retryable(result) && n < attempts && !job.cancel->cancelled() &&
                           !(job.flow_deadline && Clock::now() >= *job.flow_deadline);
        Message done = message(Message::Kind::attempt_finished, unit, n, started);
        done.finished_ms = util::now_ms();
        done.result = std::move(result);
        mailbox.push(std::move(done));
        if (!again) break;
        auto delay = retry_delay(job.retry, n);
        Message retry = message(Message::Kind::retrying, unit, n + 1, util::now_ms());
        retry.delay_ms = delay.count();
        mailbox.push(std::move(retry));
        if (!job.cancel->sleep_for(delay.count())) break;
    }
    mailbox.push(message(Message::Kind::unit_done, job.unit, 1, util::now_ms()));
}

}  // namespace flowctl::engine
