// The scheduler with a clock moved by hand, a real history database, real flows and real
// runs: every slot is fired once (restarts, re-saves, clock jumps), missed slots follow the
// catch-up policy and are all accounted for in the ledger.
#include "core/scheduler.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/execution_manager.hpp"
#include "core/flow_registry.hpp"
#include "core/trigger_manager.hpp"
#include "support/temp_dir.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {
namespace {

using namespace std::chrono_literals;

int64_t at(const char* rfc3339) { return *util::parse_time(rfc3339, 0); }
constexpr int64_t kMinute = 60'000;

class SchedulerTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::filesystem::create_directories(flows_dir());
        stores = std::make_unique<Stores>(dir.path() / "state");
    }
    void TearDown() override {
        scheduler.reset();
        manager.reset();
        registry.reset();
    }

    std::filesystem::path flows_dir() const { return dir.path() / "flows"; }

    void write_flow(const std::string& name, const std::string& yaml) {
        std::ofstream(flows_dir() / (name + ".yaml")) << "name: " << name << "\n" << yaml;
    }

    void start_manager() {
        registry = std::make_unique<FlowRegistry>(flows_dir(), *stores);
        registry->load_all();
        config.max_concurrent = 4;
        manager = std::make_unique<ExecutionManager>(config, *registry, bus, *stores, clean_step_environment());
        manager->start();
    }

    /// A scheduler (a "flowd") over the same database; with catch_up as at flowd's start.
    Scheduler& new_scheduler(const std::string& flow, bool catch_up = true) {
        scheduler.reset();
        scheduler =
            std::make_unique<Scheduler>(clock, *stores, [this](RunRequest r) { return manager->submit(std::move(r)); });
        scheduler->set_group("flow:" + flow, time_triggers(flow), catch_up);
        return *scheduler;
    }

    std::vector<TimeTrigger> time_triggers(const std::string& flow) {
        std::vector<TimeTrigger> out;
        auto entry = registry->get(flow);
        for (const auto& t : entry->flow->triggers)
            if (auto tt = make_time_trigger(flow, t.kind, t.spec)) out.push_back(*tt);
        return out;
    }

    /// The ledger of a flow, oldest first.
    std::vector<store::SlotRecord> ledger(const std::string& flow) {
        auto slots = stores->local().slots(flow, "", 100000);
        std::reverse(slots.begin(), slots.end());
        return slots;
    }
    size_t count(const std::vector<store::SlotRecord>& slots, const std::string& outcome) {
        return std::count_if(slots.begin(), slots.end(), [&](const auto& s) { return s.outcome == outcome; });
    }
    void wait_all_ended() {
        for (int i = 0; i < 500 && (manager->running() > 0 || manager->queued() > 0); ++i)
            std::this_thread::sleep_for(10ms);
    }

    flowctl::test::TempDir dir;
    config::Config config;
    EventBus bus;
    ManualClock clock{at("2026-03-02T00:00:00Z")};
    std::unique_ptr<Stores> stores;
    std::unique_ptr<FlowRegistry> registry;
    std::unique_ptr<ExecutionManager> manager;
    std::unique_ptr<Scheduler> scheduler;
};

const char* kEveryTenMinutes = R"(triggers:
  - schedule: {cron: "*/10 * * * *", timezone: UTC}
steps:
  - id: s
    run: "true"
)";

TEST_F(SchedulerTest, FiresEachSlotOnceWithItsScheduledTime) {
    write_flow("ten", kEveryTenMinutes);
    start_manager();
    auto& s = new_scheduler("ten", false);
    clock.set(at("2026-03-02T00:09:59Z"));
    s.run_due();
    EXPECT_TRUE(ledger("ten").empty());
    clock.set(at("2026-03-02T00:10:00.004Z"));
    s.run_due();
    s.run_due();
    auto slots = ledger("ten");
    ASSERT_EQ(slots.size(), 1u);
    EXPECT_EQ(slots[0].scheduled_ms, at("2026-03-02T00:10:00Z"));
    EXPECT_EQ(slots[0].outcome, "started");
    auto exec = stores->local().get_execution(slots[0].execution_id);
    ASSERT_TRUE(exec);
    EXPECT_EQ(exec->trigger, "schedule");
    EXPECT_EQ(exec->scheduled_ms, at("2026-03-02T00:10:00Z"));
    EXPECT_EQ(exec->trigger_data["scheduled_at"], "2026-03-02T00:10:00.000Z");
    EXPECT_EQ(exec->trigger_data["catchup"], false);
}

TEST_F(SchedulerTest, ARestartAfterTheSlotFiredDoesNotFireItAgain) {
    write_flow("ten", kEveryTenMinutes);
    start_manager();
    new_scheduler("ten", false);
    clock.set(at("2026-03-02T00:10:00Z"));
    scheduler->run_due();
    // flowd dies right after firing and comes back within the same second.
    new_scheduler("ten", true).run_due();
    clock.set(at("2026-03-02T00:10:30Z"));
    scheduler->run_due();
    EXPECT_EQ(ledger("ten").size(), 1u);
    clock.set(at("2026-03-02T00:20:00Z"));
    scheduler->run_due();
    EXPECT_EQ(ledger("ten").size(), 2u);
}

TEST_F(SchedulerTest, ARestartJustAfterADueSlotThatDidNotFireFiresItOnce) {
    write_flow("ten", kEveryTenMinutes);
    start_manager();
    new_scheduler("ten", false);
    clock.set(at("2026-03-02T00:09:59.500Z"));
    scheduler->run_due();
    // Killed before the slot; back 20 s after it: late, but on time enough to run as usual.
    clock.set(at("2026-03-02T00:10:20Z"));
    new_scheduler("ten", true).run_due();
    scheduler->run_due();
    auto slots = ledger("ten");
    ASSERT_EQ(slots.size(), 1u);
    EXPECT_EQ(slots[0].outcome, "started");
    EXPECT_EQ(slots[0].scheduled_ms, at("2026-03-02T00:10:00Z"));
}

TEST_F(SchedulerTest, ReSavingTheFlowAtTheDueSecondNeverFiresTwice) {
    write_flow("ten", kEveryTenMinutes);
    start_manager();
    auto& s = new_scheduler("ten", false);
    clock.set(at("2026-03-02T00:10:00Z"));
    s.set_group("flow:ten", time_triggers("ten"), false);  // the save lands just before the pass
    s.run_due();
    s.set_group("flow:ten", time_triggers("ten"), false);  // and another one just after
    s.set_group("flow:ten", time_triggers("ten"), true);   // even one that asks for catch-up
    s.run_due();
    EXPECT_EQ(ledger("ten").size(), 1u);
    clock.set(at("2026-03-02T00:20:00Z"));
    s.run_due();
    EXPECT_EQ(ledger("ten").size(), 2u);
}

TEST_F(SchedulerTest, CatchupLatestRunsTheNewestMissedSlotAndRecordsTheRest) {
    write_flow("ten", kEveryTenMinutes);
    start_manager();
    new_scheduler("ten", false);
    clock.set(at("2026-03-02T00:10:00Z"));
    scheduler->run_due();
    scheduler.reset();  // down from 00:10 to 02:05
    clock.set(at("2026-03-02T02:05:00Z"));
    new_scheduler("ten", true).run_due();
    auto slots = ledger("ten");
    ASSERT_EQ(slots.size(), 12u);  // 00:10 (ran), 00:20 .. 02:00 (11 missed)
    EXPECT_EQ(count(slots, "skipped_catchup"), 10u);
    const auto& newest = slots.back();
    EXPECT_EQ(newest.scheduled_ms, at("2026-03-02T02:00:00Z"));
    EXPECT_EQ(newest.outcome, "started");
    EXPECT_NE(newest.reason.find("flowd was not running"), std::string::npos) << newest.reason;
    auto exec = stores->local().get_execution(newest.execution_id);
    ASSERT_TRUE(exec);
    EXPECT_EQ(exec->trigger_data["catchup"], true);
    EXPECT_EQ(exec->scheduled_ms, at("2026-03-02T02:00:00Z"));
    for (size_t i = 1; i + 1 < slots.size(); ++i)
        EXPECT_EQ(slots[i].scheduled_ms, slots[i - 1].scheduled_ms + 10 * kMinute);
}

TEST_F(SchedulerTest, CatchupNoneRecordsEveryMissedSlotAndRunsNone) {
    write_flow("ten", R"(triggers:
  - schedule: {cron: "*/10 * * * *", timezone: UTC, catchup: none}
steps:
  - id: s
    run: "true"
)");
    start_manager();
    new_scheduler("ten", false);
    scheduler.reset();
    clock.set(at("2026-03-02T01:05:00Z"));
    new_scheduler("ten", true).run_due();
    auto slots = ledger("ten");
    ASSERT_EQ(slots.size(), 6u);
    EXPECT_EQ(count(slots, "missed"), 6u);
    EXPECT_NE(slots[0].reason.find("catchup is none"), std::string::npos);
    clock.set(at("2026-03-02T01:10:00Z"));
    scheduler->run_due();
    EXPECT_EQ(count(ledger("ten"), "started"), 1u);  // back to normal
}

TEST_F(SchedulerTest, CatchupAllRunsAtMostMaxCatchupInOrder) {
    write_flow("ten", R"(triggers:
  - schedule: {cron: "*/10 * * * *", timezone: UTC, catchup: all, max_catchup: 3}
steps:
  - id: s
    run: "true"
)");
    start_manager();
    new_scheduler("ten", false);
    scheduler.reset();
    clock.set(at("2026-03-02T01:05:00Z"));
    new_scheduler("ten", true).run_due();
    auto slots = ledger("ten");
    ASSERT_EQ(slots.size(), 6u);
    EXPECT_EQ(count(slots, "skipped_catchup"), 3u);
    EXPECT_EQ(count(slots, "started"), 3u);
    for (size_t i = 3; i < 6; ++i) EXPECT_EQ(slots[i].outcome, "started") << i;
    wait_all_ended();
    std::vector<int64_t> scheduled;
    for (size_t i = 3; i < 6; ++i)
        scheduled.push_back(stores->local().get_execution(slots[i].execution_id)->scheduled_ms);
    EXPECT_TRUE(std::is_sorted(scheduled.begin(), scheduled.end()));
}

TEST_F(SchedulerTest, SlotsOlderThanTheCatchupWindowAreMissed) {
    write_flow("ten", R"(triggers:
  - schedule: {cron: "*/10 * * * *", timezone: UTC, catchup: all, catchup_window: 25m}
steps:
  - id: s
    run: "true"
)");
    start_manager();
    new_scheduler("ten", false);
    scheduler.reset();
    clock.set(at("2026-03-02T01:05:00Z"));
    new_scheduler("ten", true).run_due();
    auto slots = ledger("ten");
    ASSERT_EQ(slots.size(), 6u);
    // 00:10 .. 00:30 are older than 25 minutes at 01:05; 00:40, 00:50, 01:00 run.
    EXPECT_EQ(count(slots, "missed"), 3u);
    EXPECT_NE(slots[0].reason.find("catchup_window"), std::string::npos);
    EXPECT_EQ(count(slots, "started"), 3u);
}

TEST_F(SchedulerTest, ADayOfMissedSecondsIsSummedUpNotWrittenOneByOne) {
    write_flow("sec", R"(triggers:
  - schedule: {cron: "* * * * * *", timezone: UTC}
steps:
  - id: s
    run: "true"
)");
    start_manager();
    new_scheduler("sec", false);
    scheduler.reset();
    clock.set(at("2026-03-03T00:00:00.500Z"));
    new_scheduler("sec", true).run_due();
    auto slots = ledger("sec");
    ASSERT_EQ(slots.size(), Scheduler::record_limit + 1 + 1);  // the summary, the recorded ones, the run
    EXPECT_EQ(slots.front().outcome, "missed");
    EXPECT_NE(slots.front().reason.find("slots from"), std::string::npos) << slots.front().reason;
    EXPECT_EQ(count(slots, "started"), 1u);
    EXPECT_EQ(slots.back().scheduled_ms, at("2026-03-03T00:00:00Z"));
}

TEST_F(SchedulerTest, AnAtTriggerFiresOnceAndAnIntervalKeepsItsAnchorAcrossRestarts) {
    write_flow("once", R"(triggers:
  - at: "2026-03-02T00:30:00Z"
  - interval: 7m
steps:
  - id: s
    run: "true"
)");
    start_manager();
    new_scheduler("once", false);
    const int64_t armed = clock.now_ms();
    clock.set(at("2026-03-02T00:30:00Z"));
    scheduler->run_due();
    new_scheduler("once", true);  // restart: same anchor
    clock.set(at("2026-03-02T01:00:00Z"));
    scheduler->run_due();
    auto at_slots = stores->local().slots("once", "at:" + std::to_string(at("2026-03-02T00:30:00Z")), 10);
    ASSERT_EQ(at_slots.size(), 1u);
    EXPECT_EQ(at_slots[0].outcome, "started");
    auto interval = stores->local().slots("once", "interval:420000", 100);
    ASSERT_FALSE(interval.empty());
    for (const auto& slot : interval) EXPECT_EQ((slot.scheduled_ms - armed) % (7 * kMinute), 0) << slot.scheduled_ms;
    EXPECT_EQ(interval.front().scheduled_ms, armed + 8 * 7 * kMinute);  // 00:56
}

TEST_F(SchedulerTest, ANewTriggerStartsFromNowNotFromTheSecondItWasArmedAt) {
    write_flow("fast", R"(triggers:
  - interval: 100ms
steps:
  - id: s
    run: "true"
)");
    clock.set(at("2026-03-02T00:00:00.750Z"));
    start_manager();
    auto& s = new_scheduler("fast", true);  // as at flowd's start
    s.run_due();
    EXPECT_TRUE(ledger("fast").empty());  // 00:00:00.100 .. .700 are before it existed
    clock.set(at("2026-03-02T00:00:00.800Z"));
    s.run_due();
    auto slots = ledger("fast");
    ASSERT_EQ(slots.size(), 1u);
    EXPECT_EQ(slots[0].scheduled_ms, at("2026-03-02T00:00:00.800Z"));  // on the armed second's grid
}

TEST_F(SchedulerTest, TheThreadFiresOnTimeAndCatchesUpAfterAClockJump) {
    write_flow("ten", kEveryTenMinutes);
    start_manager();
    auto& s = new_scheduler("ten", false);
    s.start();
    auto settle = [&](auto move) {
        uint64_t before = clock.waits();
        move();
        for (int i = 0; i < 500 && clock.waits() <= before; ++i) std::this_thread::sleep_for(5ms);
    };
    settle([&] { clock.set(at("2026-03-02T00:10:00Z")); });
    ASSERT_EQ(ledger("ten").size(), 1u);
    settle([&] { clock.jump(at("2026-03-02T03:00:30Z")); });  // suspended for three hours
    auto slots = ledger("ten");
    ASSERT_EQ(slots.size(), 18u);
    EXPECT_EQ(count(slots, "skipped_catchup"), 16u);
    EXPECT_NE(slots[1].reason.find("asleep"), std::string::npos) << slots[1].reason;
    EXPECT_EQ(slots.back().outcome, "started");
    s.stop();
}

TEST_F(SchedulerTest, ADisabledFlowsSlotIsRecordedAsSkippedWithTheReason) {
    write_flow("ten", kEveryTenMinutes);
    start_manager();
    auto& s = new_scheduler("ten", false);
    registry->set_enabled("ten", false);
    clock.set(at("2026-03-02T00:10:00Z"));
    s.run_due();
    auto slots = ledger("ten");
    ASSERT_EQ(slots.size(), 1u);
    EXPECT_EQ(slots[0].outcome, "skipped");
    EXPECT_NE(slots[0].reason.find("disabled"), std::string::npos) << slots[0].reason;
}

TEST_F(SchedulerTest, AFixedTimeInTheSpringForwardGapFiresOnceAfterTheGap) {
    write_flow("night", R"(triggers:
  - schedule: {cron: "30 2 * * *", timezone: Europe/Berlin}
steps:
  - id: s
    run: "true"
)");
    clock.set(at("2026-03-28T12:00:00Z"));
    start_manager();
    auto& s = new_scheduler("night", false);
    for (const char* t :
         {"2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z", "2026-03-30T00:30:00Z"}) {
        clock.set(at(t));
        s.run_due();
    }
    auto slots = ledger("night");
    ASSERT_EQ(slots.size(), 2u);
    EXPECT_EQ(slots[0].scheduled_ms, at("2026-03-29T01:00:00Z"));  // 03:00 CEST, right after the gap
    EXPECT_EQ(slots[1].scheduled_ms, at("2026-03-30T00:30:00Z"));  // 02:30 CEST
}

// Concurrency policies applied to scheduled runs: each slot's outcome says what happened.
const char* kSlowFlow = R"(
triggers:
  - schedule: {cron: "* * * * *", timezone: UTC}
steps:
  - id: s
    run: sleep 30
)";

TEST_F(SchedulerTest, ForbidSkipsASlotWhileThePreviousRunIsActive) {
    write_flow("slow", std::string("concurrency: forbid\n") + kSlowFlow);
    start_manager();
    auto& s = new_scheduler("slow", false);
    clock.set(at("2026-03-02T00:01:00Z"));
    s.run_due();
    clock.set(at("2026-03-02T00:02:00Z"));
    s.run_due();
    auto slots = ledger("slow");
    ASSERT_EQ(slots.size(), 2u);
    EXPECT_EQ(slots[0].outcome, "started");
    EXPECT_EQ(slots[1].outcome, "skipped");
    EXPECT_NE(slots[1].reason.find("forbid"), std::string::npos) << slots[1].reason;
    auto skipped = stores->local().get_execution(slots[1].execution_id);
    ASSERT_TRUE(skipped);
    EXPECT_EQ(skipped->status, "skipped");
    manager->cancel(slots[0].execution_id);
}

TEST_F(SchedulerTest, ReplaceCancelsThePreviousRunForTheNewSlot) {
    write_flow("slow", std::string("concurrency: replace\n") + kSlowFlow);
    start_manager();
    auto& s = new_scheduler("slow", false);
    clock.set(at("2026-03-02T00:01:00Z"));
    s.run_due();
    for (int i = 0; i < 200 && manager->running() == 0; ++i) std::this_thread::sleep_for(10ms);
    clock.set(at("2026-03-02T00:02:00Z"));
    s.run_due();
    auto slots = ledger("slow");
    ASSERT_EQ(slots.size(), 2u);
    EXPECT_EQ(slots[1].outcome, "started");
    for (int i = 0; i < 500; ++i) {
        auto first = stores->local().get_execution(slots[0].execution_id);
        if (first->status == "cancelled") break;
        std::this_thread::sleep_for(10ms);
    }
    auto first = stores->local().get_execution(slots[0].execution_id);
    EXPECT_EQ(first->status, "cancelled");
    EXPECT_NE(first->error.find(slots[1].execution_id), std::string::npos) << first->error;
    manager->cancel(slots[1].execution_id);
}

TEST_F(SchedulerTest, QueueKeepsEverySlotAndRunsThemOneAfterAnother) {
    write_flow("slow", std::string("concurrency: queue\n") + kSlowFlow);
    start_manager();
    auto& s = new_scheduler("slow", false);
    clock.set(at("2026-03-02T00:01:00Z"));
    s.run_due();
    clock.set(at("2026-03-02T00:02:00Z"));
    s.run_due();
    auto slots = ledger("slow");
    ASSERT_EQ(slots.size(), 2u);
    EXPECT_EQ(count(slots, "started"), 2u);
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(manager->running(), 1u);
    EXPECT_EQ(stores->local().get_execution(slots[1].execution_id)->status, "pending");
    manager->cancel(slots[0].execution_id);
    manager->cancel(slots[1].execution_id);
}

TEST_F(SchedulerTest, AllowRunsOverlappingSlotsSideBySide) {
    write_flow("slow", kSlowFlow);
    start_manager();
    auto& s = new_scheduler("slow", false);
    clock.set(at("2026-03-02T00:01:00Z"));
    s.run_due();
    clock.set(at("2026-03-02T00:02:00Z"));
    s.run_due();
    for (int i = 0; i < 300 && manager->running() < 2; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(manager->running(), 2u);
    for (const auto& slot : ledger("slow")) manager->cancel(slot.execution_id);
}

}  // namespace
}  // namespace flowctl::daemon
