// The event bus: sequence numbers and times, filters (execution with its sub-flows, flow, logs),
// bounded queues that report lag, pruning and concurrent publishers and readers.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/event_bus.hpp"

using flowctl::json;
using namespace flowctl::daemon;
using namespace std::chrono_literals;

namespace {

EventFilter by_execution(std::string id) {
    EventFilter f;
    f.execution_id = std::move(id);
    return f;
}
EventFilter by_flow(std::string flow) {
    EventFilter f;
    f.flow = std::move(flow);
    return f;
}
EventFilter without_logs() {
    EventFilter f;
    f.include_logs = false;
    return f;
}

json event(const std::string& type, const std::string& execution, const std::string& flow = "f",
           const std::string& parent = "") {
    json e = {{"type", type}, {"execution_id", execution}, {"flow", flow}};
    if (!parent.empty()) e["parent_id"] = parent;
    return e;
}

/// Everything queued right now.
std::vector<json> drain(Subscription& sub) {
    std::vector<json> out;
    json e;
    while (sub.next(e, 0ms)) out.push_back(e);
    return out;
}

std::vector<std::string> execution_ids(const std::vector<json>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.value("execution_id", ""));
    return out;
}

}  // namespace

TEST(EventBus, AddsIncreasingSeqAndAnRfc3339Time) {
    EventBus bus;
    auto sub = bus.subscribe({});
    bus.publish(event("execution_started", "e1"));
    bus.publish(event("step_started", "e1"));
    bus.publish({{"type", "flow_loaded"}, {"flow", "f"}, {"time", "2026-01-01T00:00:00.000Z"}});
    auto got = drain(*sub);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0]["seq"], 1);
    EXPECT_EQ(got[1]["seq"], 2);
    EXPECT_EQ(got[2]["seq"], 3);
    std::string time = got[0]["time"];
    ASSERT_EQ(time.size(), 24u) << time;
    EXPECT_EQ(time[10], 'T');
    EXPECT_EQ(time.back(), 'Z');
    EXPECT_EQ(got[2]["time"], "2026-01-01T00:00:00.000Z");
}

TEST(EventBus, ExecutionFilterFollowsSubFlowsAtAnyDepth) {
    EventBus bus;
    auto root = bus.subscribe(by_execution("root"));
    auto child = bus.subscribe(by_execution("child"));
    bus.publish(event("execution_started", "root"));
    bus.publish(event("execution_started", "child", "sub", "root"));
    bus.publish(event("execution_started", "grandchild", "subsub", "child"));
    bus.publish(event("step_started", "grandchild", "subsub", "child"));
    bus.publish(event("execution_started", "other"));
    bus.publish(event("execution_started", "other-child", "sub", "other"));
    bus.publish(event("execution_finished", "grandchild", "subsub", "child"));
    bus.publish(event("execution_finished", "child", "sub", "root"));
    bus.publish(event("execution_finished", "root"));

    EXPECT_EQ(execution_ids(drain(*root)),
              (std::vector<std::string>{"root", "child", "grandchild", "grandchild", "grandchild", "child", "root"}));
    EXPECT_EQ(execution_ids(drain(*child)),
              (std::vector<std::string>{"child", "grandchild", "grandchild", "grandchild", "child"}));
}

TEST(EventBus, FlowFilterAndLogsFilter) {
    EventBus bus;
    auto backup = bus.subscribe(by_flow("backup"));
    auto quiet = bus.subscribe(without_logs());
    bus.publish(event("step_log", "e1", "backup"));
    bus.publish(event("step_finished", "e1", "backup"));
    bus.publish(event("step_log", "e2", "deploy"));
    bus.publish({{"type", "flow_invalid"}, {"flow", "backup"}});

    auto got = drain(*backup);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0]["type"], "step_log");
    EXPECT_EQ(got[2]["type"], "flow_invalid");

    got = drain(*quiet);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0]["type"], "step_finished");
    EXPECT_EQ(got[1]["type"], "flow_invalid");
}

TEST(EventBus, ASlowReaderLosesTheOldestEventsAndIsToldHowMany) {
    EventBus bus(3);
    auto sub = bus.subscribe({});
    for (int i = 0; i < 10; ++i) bus.publish(event("step_log", "e" + std::to_string(i)));
    auto got = drain(*sub);
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got[0], (json{{"type", "lagged"}, {"dropped", 7}}));
    EXPECT_EQ(execution_ids({got.begin() + 1, got.end()}), (std::vector<std::string>{"e7", "e8", "e9"}));
    // Caught up: no more lag reported.
    bus.publish(event("step_log", "e10"));
    got = drain(*sub);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0]["execution_id"], "e10");
}

TEST(EventBus, GoneAndClosedSubscribersArePruned) {
    EventBus bus;
    auto kept = bus.subscribe({});
    auto dropped = bus.subscribe({});
    auto closed = bus.subscribe({});
    EXPECT_EQ(bus.subscribers(), 3u);
    dropped.reset();
    closed->close();
    EXPECT_EQ(bus.subscribers(), 1u);
    bus.publish(event("step_log", "e1"));
    json e;
    EXPECT_FALSE(closed->next(e, 0ms));
    EXPECT_TRUE(kept->next(e, 0ms));
}

TEST(EventBus, NextWaitsForAnEventAndCloseAllWakesReaders) {
    EventBus bus;
    auto sub = bus.subscribe({});
    json e;
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(sub->next(e, 50ms));
    EXPECT_GE(std::chrono::steady_clock::now() - start, 45ms);

    std::thread publisher([&] {
        std::this_thread::sleep_for(30ms);
        bus.publish(event("execution_started", "late"));
    });
    EXPECT_TRUE(sub->next(e, 5s));
    EXPECT_EQ(e["execution_id"], "late");
    publisher.join();

    std::thread closer([&] {
        std::this_thread::sleep_for(30ms);
        bus.close_all();
    });
    start = std::chrono::steady_clock::now();
    EXPECT_FALSE(sub->next(e, 10s));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_TRUE(sub->closed());
    EXPECT_EQ(bus.subscribers(), 0u);
    closer.join();
}

TEST(EventBus, ConcurrentPublishersAndReadersSeeEveryEventInSeqOrder) {
    constexpr int publishers = 4;
    constexpr int per_publisher = 2000;
    EventBus bus(publishers * per_publisher);
    auto stalled = bus.subscribe({});  // never read: must not slow anyone down beyond its bound
    std::vector<std::shared_ptr<Subscription>> readers = {bus.subscribe({}), bus.subscribe(without_logs())};
    std::vector<std::vector<int64_t>> seqs(readers.size());
    std::atomic<bool> done{false};

    std::vector<std::thread> threads;
    for (size_t r = 0; r < readers.size(); ++r)
        threads.emplace_back([&, r] {
            json e;
            while (true) {
                if (readers[r]->next(e, 20ms))
                    seqs[r].push_back(e["seq"].get<int64_t>());
                else if (done)
                    break;
            }
        });
    std::vector<std::thread> pubs;
    for (int p = 0; p < publishers; ++p)
        pubs.emplace_back([&, p] {
            for (int i = 0; i < per_publisher; ++i)
                bus.publish(event(i % 2 ? "step_log" : "step_started", "e" + std::to_string(p)));
        });
    for (auto& t : pubs) t.join();
    done = true;
    for (auto& t : threads) t.join();

    ASSERT_EQ(seqs[0].size(), size_t(publishers * per_publisher));
    EXPECT_EQ(seqs[1].size(), size_t(publishers * per_publisher / 2));
    for (const auto& s : seqs) EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
    EXPECT_EQ(seqs[0].back(), publishers * per_publisher);
}
