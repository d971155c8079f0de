// Time triggers with the real clock through the real flowd: every second of a per-second
// schedule is fired exactly once although the daemon is killed and restarted around due
// slots and the flow file is re-saved again and again; the views list and explain them.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "daemon_fixture.hpp"
#include "util/time.hpp"

namespace flowctl::test {
namespace {

using namespace std::chrono_literals;

std::string every_second_flow(const std::string& comment) {
    return "# " + comment + R"(
name: tick
triggers:
  - schedule: {cron: "* * * * * *", timezone: UTC, catchup: all, max_catchup: 1000}
steps:
  - id: s
    run: "true"
)";
}

/// Sleeps until `ms` past the start of a wall-clock second.
void sleep_to_millisecond(int ms) {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    auto into = std::chrono::duration_cast<std::chrono::milliseconds>(now).count() % 1000;
    std::this_thread::sleep_for(std::chrono::milliseconds((ms - into + 1000) % 1000));
}

class TriggersTest : public DaemonTest {};

TEST_F(TriggersTest, KillsRestartsAndReSavesAroundDueSlotsNeitherDoubleNorLoseASlot) {
    write_flow("tick.yaml", every_second_flow("v0"));
    start_daemon();
    std::this_thread::sleep_for(2500ms);
    // Killed just before a due second, and again just after one.
    for (int kill_at : {990, 5}) {
        sleep_to_millisecond(kill_at);
        daemon->signal(SIGKILL);
        daemon->wait();
        std::this_thread::sleep_for(1200ms);
        start_daemon();
        std::this_thread::sleep_for(1500ms);
    }
    // Re-saved at the due second (an atomic rename, as editors do) and a moment after it.
    for (int i = 0; i < 4; ++i) {
        sleep_to_millisecond(i % 2 == 0 ? 999 : 2);
        auto tmp = dir.write("tick.tmp", every_second_flow("v" + std::to_string(i + 1)));
        std::filesystem::rename(tmp, flows_dir() / "tick.yaml");
    }
    std::this_thread::sleep_for(1500ms);
    ASSERT_EQ(flowctl({"disable", "tick"}).exit_code, 0);  // no more slots while we look
    std::this_thread::sleep_for(300ms);

    // The whole ledger, through the CLI.
    json explained = flowctl_json({"triggers", "explain", "tick", "--last", "1000", "--next", "0"});
    ASSERT_TRUE(explained.is_object());
    const json& slots = explained["triggers"][0]["slots"];
    ASSERT_GE(slots.size(), 8u) << slots.dump(1);
    std::set<std::string> seen;
    std::vector<int64_t> seconds;
    for (const auto& s : slots) {
        const std::string at = s["scheduled_at"];
        EXPECT_TRUE(seen.insert(at).second) << "slot twice: " << at;
        seconds.push_back(*flowctl::util::parse_time(at, 0) / 1000);
        EXPECT_EQ(s["outcome"], "started") << s.dump();  // catchup all: every missed second ran
    }
    std::sort(seconds.begin(), seconds.end());
    for (size_t i = 1; i < seconds.size(); ++i) EXPECT_EQ(seconds[i], seconds[i - 1] + 1) << "a second was lost";

    // One execution per slot, each knowing its slot.
    json history = flowctl_json({"history", "tick", "--limit", "1000"});
    std::map<std::string, int> runs_per_slot;
    for (const auto& e : history["executions"]) ++runs_per_slot[e["trigger_data"].value("scheduled_at", "")];
    for (const auto& [slot, n] : runs_per_slot) EXPECT_EQ(n, 1) << slot;
    EXPECT_EQ(runs_per_slot.size(), slots.size());
}

TEST_F(TriggersTest, TriggersListsEveryKindWithNextAndLastFiring) {
    write_flow("mixed.yaml", R"(name: mixed
triggers:
  - schedule: {cron: "0 9 * * MON-FRI", timezone: America/New_York}
  - interval: 1s
  - watch: {paths: ["inbox/*.csv"]}
  - webhook: {id: mixed-hook}
  - manual
steps:
  - id: s
    run: "true"
)");
    std::filesystem::create_directories(flows_dir() / "inbox");
    start_daemon();
    ASSERT_TRUE(eventually(5s, [&] {
        json r = flowctl_json({"triggers", "mixed"});
        for (const auto& t : r["triggers"])
            if (t["kind"] == "interval" && t["last_result"].is_string()) return true;
        return false;
    }));
    json r = flowctl_json({"triggers"});
    std::map<std::string, json> by_kind;
    for (const auto& t : r["triggers"]) by_kind[t["kind"]] = t;
    ASSERT_EQ(by_kind.size(), 5u) << r.dump(1);
    EXPECT_TRUE(by_kind["schedule"]["next_fire_at"].is_string());
    EXPECT_TRUE(by_kind["schedule"]["active"].get<bool>());
    EXPECT_TRUE(by_kind["watch"]["active"].get<bool>()) << by_kind["watch"].dump();
    EXPECT_EQ(by_kind["webhook"]["description"], "POST /hooks/mixed-hook");

    auto table = flowctl({"triggers"});
    EXPECT_EQ(table.exit_code, 0) << table.err;
    EXPECT_NE(table.out.find("America/New_York"), std::string::npos) << table.out;

    // explain marks the days of a DST change: 2026-11-01 in New York is a Sunday, so the
    // schedule's next days are not, but `flowctl cron` below shows one.
    json ex = flowctl_json({"triggers", "explain", "mixed", "--next", "3"});
    const json& schedule = ex["triggers"][0];
    ASSERT_EQ(schedule["next"].size(), 3u);
    EXPECT_NE(schedule["next"][0]["local"].get<std::string>().find("T09:00:00-0"), std::string::npos)
        << schedule["next"].dump();
}

TEST_F(TriggersTest, AdHocSchedulesAreCreatedListedChangedAndDeleted) {
    write_flow("job.yaml", R"(name: job
inputs:
  who: {type: string, default: nobody}
steps:
  - id: s
    run: echo hello ${{ inputs.who }}
)");
    start_daemon();
    json created = flowctl_json({"schedule", "add", "job", "--every", "1s", "-i", "who=cron", "--description", "test"});
    const std::string id = created["schedule"]["id"];
    EXPECT_EQ(created["schedule"]["type"], "interval");
    EXPECT_TRUE(created["schedule"]["next_run_at"].is_string());
    ASSERT_TRUE(eventually(5s, [&] {
        json s = flowctl_json({"schedule", "show", id});
        return s["schedule"]["last_run"].is_object();
    }));
    json listed = flowctl_json({"schedule", "list"});
    ASSERT_EQ(listed["schedules"].size(), 1u);
    json history = flowctl_json({"history", "job", "--limit", "1"});
    ASSERT_FALSE(history["executions"].empty());
    EXPECT_EQ(history["executions"][0]["trigger"], "interval");  // the kind of timing; schedule_id says which
    EXPECT_EQ(history["executions"][0]["inputs"]["who"], "cron");
    EXPECT_EQ(history["executions"][0]["trigger_data"]["schedule_id"], id);

    json disabled = flowctl_json({"schedule", "disable", id});
    EXPECT_FALSE(disabled["schedule"]["enabled"].get<bool>());
    EXPECT_TRUE(disabled["schedule"]["next_run_at"].is_null());
    json changed = flowctl_json({"schedule", "set", id, "--cron", "0 12 * * *", "--tz", "Asia/Tokyo"});
    EXPECT_EQ(changed["schedule"]["cron"], "0 12 * * *");
    EXPECT_FALSE(changed["schedule"].contains("every"));

    auto bad = flowctl({"schedule", "add", "job", "--cron", "61 * * * *"});
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE(bad.err.find("cron"), std::string::npos) << bad.err;
    auto missing = flowctl({"schedule", "add", "nope", "--every", "1m"});
    EXPECT_EQ(missing.exit_code, 4) << missing.err;

    auto removed = flowctl({"schedule", "rm", id});
    EXPECT_EQ(removed.exit_code, 0) << removed.err;
    EXPECT_TRUE(flowctl_json({"schedule", "list"})["schedules"].empty());
}

TEST_F(TriggersTest, AWatchedFileSavedByRenameStartsOneRunThatKnowsThePath) {
    write_flow("drop.yaml", R"(name: drop
inputs:
  file: {type: string}
triggers:
  - watch: {paths: ["inbox/*.csv"], debounce: 200ms, inputs: {file: "${{ trigger.paths[0] }}"}}
steps:
  - id: s
    run: echo got ${{ inputs.file }}
)");
    std::filesystem::create_directories(flows_dir() / "inbox");
    start_daemon();
    ASSERT_TRUE(eventually(5s, [&] {
        json r = flowctl_json({"triggers", "drop"});
        for (const auto& t : r["triggers"])
            if (t["kind"] == "watch") return t["active"].get<bool>();
        return false;
    }));
    // As an editor saves: a temporary file (not matching the glob) renamed over the target.
    auto tmp = dir.write("flows/inbox/.a.csv.swp", "1,2\n");
    std::filesystem::rename(tmp, flows_dir() / "inbox" / "a.csv");
    dir.write("flows/inbox/notes.txt", "not a csv");
    json runs;
    ASSERT_TRUE(eventually(10s, [&] {
        runs = flowctl_json({"history", "drop"})["executions"];
        return !runs.empty() && runs[0]["status"] == "succeeded";
    })) << runs.dump(1);
    std::this_thread::sleep_for(600ms);  // nothing else comes
    runs = flowctl_json({"history", "drop"})["executions"];
    ASSERT_EQ(runs.size(), 1u) << runs.dump(1);
    const std::string path = (flows_dir() / "inbox" / "a.csv").string();
    EXPECT_EQ(runs[0]["trigger"], "watch");
    EXPECT_EQ(runs[0]["trigger_data"]["paths"], json::array({path}));
    EXPECT_EQ(runs[0]["trigger_data"]["events"][0]["path"], path);
    EXPECT_EQ(runs[0]["inputs"]["file"], path);
    auto logs = flowctl({"logs", runs[0]["id"]});
    EXPECT_NE(logs.out.find("got " + path), std::string::npos) << logs.out << logs.err;
}

}  // namespace
}  // namespace flowctl::test
