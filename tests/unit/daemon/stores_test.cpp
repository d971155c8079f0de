// One SQLite connection per thread, all on the same database file.
#include <gtest/gtest.h>

#include <thread>

#include "core/stores.hpp"
#include "support/temp_dir.hpp"

using flowctl::daemon::Stores;

TEST(Stores, SameThreadGetsTheSameConnection) {
    flowctl::test::TempDir dir;
    Stores stores(dir.path());
    auto& a = stores.local();
    auto& b = stores.local();
    EXPECT_EQ(&a, &b);
    EXPECT_EQ(a.db_path().parent_path(), dir.path());
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "history.db"));
}

TEST(Stores, EachThreadHasItsOwnConnectionToTheSameDatabase) {
    flowctl::test::TempDir dir;
    Stores stores(dir.path());
    auto* mine = &stores.local();
    int64_t id = mine->record_flow_version("backup", "h1", "/flows/backup.yaml", "name: backup\n", 1000);

    flowctl::store::Store* theirs = nullptr;
    std::vector<flowctl::store::FlowVersionRecord> seen;
    std::thread([&] {
        theirs = &stores.local();
        seen = theirs->flow_versions("backup");
        theirs->set_flow_enabled("backup", false);
    }).join();

    EXPECT_NE(theirs, mine);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].id, id);
    EXPECT_FALSE(mine->flow_enabled_states().at("backup"));
}

TEST(Stores, ManyThreadsOpenConcurrently) {
    flowctl::test::TempDir dir;
    Stores stores(dir.path());
    std::vector<std::thread> threads;
    std::atomic<int> recorded{0};
    for (int t = 0; t < 6; ++t)
        threads.emplace_back([&, t] {
            auto& store = stores.local();
            store.record_flow_version("f" + std::to_string(t), "h", "/p", "x", 1);
            ++recorded;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(recorded.load(), 6);
    for (int t = 0; t < 6; ++t) EXPECT_EQ(stores.local().flow_versions("f" + std::to_string(t)).size(), 1u);
}
