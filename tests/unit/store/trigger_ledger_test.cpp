// The schedule ledger and ad hoc schedules in a real SQLite file: a slot is written once,
// whichever connection tries, and an armed trigger keeps its first arming time.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/store.hpp"
#include "support/temp_dir.hpp"

namespace flowctl::store {
namespace {

class TriggerLedgerTest : public ::testing::Test {
protected:
    flowctl::test::TempDir dir;
    SlotRecord slot(int64_t at, const std::string& outcome = "started") {
        return {0, "backup", "schedule:0 2 * * *@UTC", at, outcome, "", "", 1};
    }
};

TEST_F(TriggerLedgerTest, ASlotIsWrittenOnceAndTheSecondWriteSaysSo) {
    Store store(dir.path());
    EXPECT_FALSE(store.last_slot_ms("backup", "schedule:0 2 * * *@UTC"));
    EXPECT_TRUE(store.insert_slot(slot(1000)));
    EXPECT_FALSE(store.insert_slot(slot(1000, "skipped")));
    EXPECT_TRUE(store.insert_slot(slot(2000, "missed")));
    auto slots = store.slots("backup", "", 10);
    ASSERT_EQ(slots.size(), 2u);
    EXPECT_EQ(slots[0].scheduled_ms, 2000);  // newest first
    EXPECT_EQ(slots[1].outcome, "started");  // the first write stays
    EXPECT_EQ(store.last_slot_ms("backup", "schedule:0 2 * * *@UTC"), 2000);
    EXPECT_TRUE(store.slots("other", "", 10).empty());
}

TEST_F(TriggerLedgerTest, ConnectionsRacingForOneSlotWriteItOnce) {
    { Store init(dir.path()); }
    std::atomic<int> won{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 6; ++i)
        threads.emplace_back([&] {
            Store store(dir.path());
            for (int64_t at = 0; at < 50; ++at)
                if (store.insert_slot(slot(at))) ++won;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(won.load(), 50);
}

TEST_F(TriggerLedgerTest, ASlotWrittenInARolledBackTransactionIsNotThere) {
    Store store(dir.path());
    store.begin();
    EXPECT_TRUE(store.insert_slot(slot(5000)));
    store.rollback();
    EXPECT_TRUE(store.insert_slot(slot(5000)));
}

TEST_F(TriggerLedgerTest, ArmingKeepsTheFirstTime) {
    Store store(dir.path());
    EXPECT_EQ(store.arm_trigger("backup", "interval:60000", 100), 100);
    EXPECT_EQ(store.arm_trigger("backup", "interval:60000", 999), 100);
    Store other(dir.path());
    EXPECT_EQ(other.arm_trigger("backup", "interval:60000", 5), 100);
    EXPECT_EQ(other.arm_trigger("backup", "interval:30000", 5), 5);
}

TEST_F(TriggerLedgerTest, SchedulesAreCreatedListedUpdatedAndDeleted) {
    Store store(dir.path());
    ScheduleRecord r{
        "sch_1", "backup", {{"cron", "0 9 * * *"}, {"timezone", "Europe/Berlin"}}, {{"k", "v"}}, "daily", true, 10, 10};
    store.insert_schedule(r);
    store.insert_schedule({"sch_2", "report", {{"every", "15m"}}, json::object(), "", false, 20, 20});
    EXPECT_EQ(store.list_schedules().size(), 2u);
    auto only = store.list_schedules("backup");
    ASSERT_EQ(only.size(), 1u);
    EXPECT_EQ(only[0].spec["timezone"], "Europe/Berlin");
    EXPECT_EQ(only[0].inputs["k"], "v");
    r.spec = {{"at", "2026-12-01T09:00:00Z"}};
    r.enabled = false;
    r.updated_ms = 30;
    EXPECT_TRUE(store.update_schedule(r));
    auto got = store.get_schedule("sch_1");
    ASSERT_TRUE(got);
    EXPECT_FALSE(got->enabled);
    EXPECT_EQ(got->spec, json({{"at", "2026-12-01T09:00:00Z"}}));
    EXPECT_EQ(got->created_ms, 10);
    EXPECT_EQ(got->updated_ms, 30);
    EXPECT_TRUE(store.delete_schedule("sch_1"));
    EXPECT_FALSE(store.delete_schedule("sch_1"));
    EXPECT_FALSE(store.get_schedule("sch_1"));
    r.id = "nope";
    EXPECT_FALSE(store.update_schedule(r));
}

}  // namespace
}  // namespace flowctl::store

namespace flowctl::store {
namespace {

TEST_F(TriggerLedgerTest, GcKeepsTheNewestSlotOfEachTriggerWhateverItsAge) {
    Store store(dir.path());
    for (int64_t at = 1; at <= Store::k_slots_kept + 20; ++at) store.insert_slot(slot(at * 1000));
    store.insert_slot({0, "old", "at:1", 5, "started", "", "", 1});
    store.gc({0, 0}, false, 10'000'000);
    auto slots = store.slots("backup", "", 100000);
    ASSERT_EQ(slots.size(), static_cast<size_t>(Store::k_slots_kept));
    EXPECT_EQ(slots.front().scheduled_ms, (Store::k_slots_kept + 20) * 1000);
    // With an age limit: only what is younger stays, and the newest slot of every trigger.
    store.gc({/*max_age_ms=*/10'000'000 - 1'015'000, 0}, false, 10'000'000);
    EXPECT_EQ(store.slots("backup", "", 100000).size(), 6u);  // 1015 .. 1020 s
    EXPECT_EQ(store.slots("old", "", 10).size(), 1u);
    EXPECT_EQ(store.last_slot_ms("old", "at:1"), 5);
}

}  // namespace
}  // namespace flowctl::store
