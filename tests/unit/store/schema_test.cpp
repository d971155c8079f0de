// Opening the database: file modes, pragmas and schema migrations.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <string>

#include "store/store.hpp"
#include "raw_db.hpp"
#include "support/temp_dir.hpp"

using namespace flowctl::store;

namespace {

using flowctl::store::test::RawDb;

unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return 0;
    return st.st_mode & 0777;
}

}  // namespace

TEST(StoreSchema, FreshDatabaseIsPrivateWalAndCurrent) {
    flowctl::test::TempDir dir;
    auto state = dir.path() / "nested" / "state";
    Store store(state);
    EXPECT_EQ(store.db_path(), state / "history.db");
    EXPECT_EQ(mode_of(state), 0700u);
    EXPECT_EQ(mode_of(store.db_path()), 0600u);

    RawDb raw(store.db_path());
    EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(raw.text("PRAGMA user_version"), "3");
    for (const char* table : {"executions", "step_runs", "logs"})
        EXPECT_EQ(raw.text(std::string("SELECT name FROM sqlite_master WHERE type='table' AND name='") + table + "'"),
                  table);
    for (const char* index :
         {"executions_status", "executions_flow_started", "executions_started", "executions_parent", "logs_execution"})
        EXPECT_EQ(raw.text(std::string("SELECT name FROM sqlite_master WHERE type='index' AND name='") + index + "'"),
                  index);
}

TEST(StoreSchema, ReopeningIsANoOpAndKeepsData) {
    flowctl::test::TempDir dir;
    {
        Store store(dir.path());
        ExecutionRecord e;
        e.id = "keep";
        e.flow_name = "f";
        store.insert_execution(e);
    }
    RawDb raw(dir.path() / "history.db");
    std::string schema_before = raw.text("SELECT group_concat(sql, ';') FROM sqlite_master");
    {
        Store again(dir.path());
        EXPECT_TRUE(again.get_execution("keep"));
    }
    EXPECT_EQ(raw.text("PRAGMA user_version"), "3");
    EXPECT_EQ(raw.text("SELECT group_concat(sql, ';') FROM sqlite_master"), schema_before);
}

TEST(StoreSchema, DatabaseFromANewerBuildIsRefused) {
    flowctl::test::TempDir dir;
    { Store store(dir.path()); }
    RawDb(dir.path() / "history.db").exec("PRAGMA user_version = 99");
    try {
        Store store(dir.path());
        FAIL() << "expected StoreError";
    } catch (const StoreError& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("history database"), std::string::npos) << msg;
        EXPECT_NE(msg.find("history.db"), std::string::npos) << msg;
        EXPECT_NE(msg.find("was written by a newer flowctl (schema 99, this build knows 3)"), std::string::npos) << msg;
    }
    // Refusing must not have touched it.
    EXPECT_EQ(RawDb(dir.path() / "history.db").text("PRAGMA user_version"), "99");
}

TEST(StoreSchema, NotADatabaseIsAStoreError) {
    flowctl::test::TempDir dir;
    dir.write("history.db", std::string(4096, 'x'));
    EXPECT_THROW(Store store(dir.path()), StoreError);
}

TEST(StoreSchema, UnwritableStateDirIsAStoreError) {
    flowctl::test::TempDir dir;
    auto file = dir.write("plain-file", "x");
    EXPECT_THROW(Store store(file / "state"), StoreError);
}

TEST(StoreSchema, DurableFullOpensTheSameDatabase) {
    flowctl::test::TempDir dir;
    {
        Store store(dir.path(), /*durable_full=*/true);
        ExecutionRecord e;
        e.id = "d";
        e.flow_name = "f";
        store.insert_execution(e);
    }
    Store store(dir.path());
    EXPECT_TRUE(store.get_execution("d"));
}
