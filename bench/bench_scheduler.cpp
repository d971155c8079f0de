// Timer precision of the scheduler: how late each slot is submitted after it came due, with the
// system clock (timerfd) and the schedule ledger written for every slot in a real SQLite file.
// Baseline: a bare timerfd sleep to the same kind of deadlines, in the same run.
//
//   ./build/release/bench/bench_scheduler [SECONDS (default 10)] [TRIGGERS (default 8)]
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/clock.hpp"
#include "core/scheduler.hpp"
#include "core/stores.hpp"
#include "core/time_trigger.hpp"
#include "util/ids.hpp"

using namespace flowctl;
using namespace flowctl::daemon;

namespace {

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

int64_t realtime_us() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

/// Lateness (ms) of bare timerfd sleeps to the next multiple of `step_ms`, `count` times.
std::vector<double> baseline(int count, int step_ms) {
    int fd = ::timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC);
    std::vector<double> late;
    for (int i = 0; i < count; ++i) {
        int64_t now_ms = realtime_us() / 1000;
        int64_t due = (now_ms / step_ms + 1) * step_ms;
        itimerspec spec{};
        spec.it_value.tv_sec = due / 1000;
        spec.it_value.tv_nsec = (due % 1000) * 1'000'000;
        ::timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, nullptr);
        uint64_t n;
        [[maybe_unused]] auto r = ::read(fd, &n, sizeof n);
        late.push_back(static_cast<double>(realtime_us() - due * 1000) / 1000.0);
    }
    ::close(fd);
    return late;
}

}  // namespace

int main(int argc, char** argv) {
    spdlog::set_level(spdlog::level::warn);  // a log line per slot is not what is measured
    const int seconds = argc > 1 ? std::atoi(argv[1]) : 10;
    const int triggers = argc > 2 ? std::atoi(argv[2]) : 8;
    auto dir = std::filesystem::temp_directory_path() / ("flowctl-bench-sched-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        Stores stores(dir);
        auto clock = make_system_clock();
        std::mutex mutex;
        std::vector<double> late, committed;
        // A stand-in for the execution manager that keeps the part that matters here: the
        // ledger row, written in its own transaction.
        Scheduler scheduler(*clock, stores, [&stores](RunRequest r) {
            auto& store = stores.local();
            Submission s;
            s.execution_id = util::new_execution_id(0);
            store.begin();
            r.record(store, s);
            store.commit();
            return s;
        });
        scheduler.observe_fires([&](int64_t due, bool done) {
            double ms = static_cast<double>(realtime_us() - due * 1000) / 1000.0;
            std::lock_guard lock(mutex);
            (done ? committed : late).push_back(ms);
        });
        std::vector<TimeTrigger> list;
        for (int i = 0; i < triggers; ++i) {
            // Different periods, so that slots of several triggers sometimes fall together.
            auto t = make_time_trigger("bench", "interval", std::to_string(100 + 25 * i) + "ms");
            list.push_back(*t);
        }
        scheduler.set_group("bench", list, false);
        scheduler.start();
        std::this_thread::sleep_for(std::chrono::seconds(seconds));
        scheduler.stop();

        std::vector<double> base = baseline(static_cast<int>(late.size()), 100);
        double med = percentile(late, 0.5), p99 = percentile(late, 0.99), mx = percentile(late, 1.0);
        double bmed = percentile(base, 0.5), bp99 = percentile(base, 0.99);
        std::printf("scheduler lateness over %zu slots (%d triggers, %d s, ledger row per slot):\n", late.size(),
                    triggers, seconds);
        std::printf("  median %.3f ms   p99 %.3f ms   max %.3f ms\n", med, p99, mx);
        std::printf("until its ledger row was committed:\n  median %.3f ms   p99 %.3f ms   max %.3f ms\n",
                    percentile(committed, 0.5), percentile(committed, 0.99), percentile(committed, 1.0));
        std::printf("bare timerfd sleep, %zu times:\n  median %.3f ms   p99 %.3f ms\n", base.size(), bmed, bp99);
        std::printf("ratio p99 scheduler / timerfd: %.2fx   goal: p99 <= 10 ms: %s\n", bp99 > 0 ? p99 / bp99 : 0.0,
                    p99 <= 10.0 ? "met" : "NOT met");
    }
    std::filesystem::remove_all(dir);
    return 0;
}
