// Schema v3, webhooks: delivery ids for dedupe, recorded requests, their stats and retention.
#include <gtest/gtest.h>

#include <string>

#include "raw_db.hpp"
#include "store/store.hpp"
#include "support/temp_dir.hpp"

using namespace flowctl::store;

namespace {

using flowctl::store::test::RawDb;

constexpr int64_t k_hour = 3600 * 1000;
constexpr int64_t k_now = 1'800'000'000'000;

class WebhookStoreTest : public ::testing::Test {
protected:
    flowctl::test::TempDir dir;
    Store store{dir.path()};

    void add_execution(const std::string& id, const std::string& status) {
        ExecutionRecord e;
        e.id = id;
        e.flow_name = "deploy";
        e.trigger = "webhook";
        e.status = status;
        e.created_ms = k_now;
        e.started_ms = k_now;
        e.finished_ms = status == "running" ? 0 : k_now + 10;
        store.insert_execution(e);
    }

    void add_request(const std::string& hook, int status, const std::string& execution = "",
                     const std::string& delivery = "", int64_t at = k_now) {
        WebhookRequestRecord r;
        r.hook_id = hook;
        r.received_ms = at;
        r.status = status;
        r.remote_addr = "10.0.0.7";
        r.user_agent = "GitHub-Hookshot/1";
        r.delivery_id = delivery;
        r.execution_id = execution;
        r.error = status >= 400 ? "no" : "";
        store.insert_webhook_request(r);
    }
};

TEST_F(WebhookStoreTest, ADeliveryIsFoundWithinItsWindowOnly) {
    EXPECT_EQ(store.find_delivery("deploy", "d-1", 0), std::nullopt);
    store.record_delivery("deploy", "d-1", "e-1", k_now);
    EXPECT_EQ(store.find_delivery("deploy", "d-1", k_now - 24 * k_hour), "e-1");
    EXPECT_EQ(store.find_delivery("deploy", "d-1", k_now), "e-1");             // received at the start of the window
    EXPECT_EQ(store.find_delivery("deploy", "d-1", k_now + 1), std::nullopt);  // older than the window
    EXPECT_EQ(store.find_delivery("other", "d-1", 0), std::nullopt);           // ids are per hook
    EXPECT_EQ(store.find_delivery("deploy", "d-2", 0), std::nullopt);
}

TEST_F(WebhookStoreTest, RecordingAgainReplacesTheOlderDelivery) {
    store.record_delivery("deploy", "d-1", "e-old", k_now - 48 * k_hour);
    store.record_delivery("deploy", "d-1", "e-new", k_now);
    EXPECT_EQ(store.find_delivery("deploy", "d-1", k_now - k_hour), "e-new");
    RawDb raw(store.db_path());
    EXPECT_EQ(raw.text("SELECT count(*) FROM webhook_deliveries"), "1");
}

TEST_F(WebhookStoreTest, ADeliveryRecordedInARolledBackTransactionIsNotThere) {
    store.begin();
    store.record_delivery("deploy", "d-1", "e-1", k_now);
    store.rollback();
    EXPECT_EQ(store.find_delivery("deploy", "d-1", 0), std::nullopt);
}

TEST_F(WebhookStoreTest, RequestsComeBackNewestFirstWithEveryField) {
    add_request("deploy", 401);
    add_request("deploy", 202, "e-1", "d-1", k_now + 5);
    add_request("other", 202, "e-9");
    auto list = store.webhook_requests("deploy", 10);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].status, 202);
    EXPECT_EQ(list[0].hook_id, "deploy");
    EXPECT_EQ(list[0].received_ms, k_now + 5);
    EXPECT_EQ(list[0].remote_addr, "10.0.0.7");
    EXPECT_EQ(list[0].user_agent, "GitHub-Hookshot/1");
    EXPECT_EQ(list[0].delivery_id, "d-1");
    EXPECT_EQ(list[0].execution_id, "e-1");
    EXPECT_EQ(list[0].error, "");
    EXPECT_GT(list[0].id, list[1].id);
    EXPECT_EQ(list[1].status, 401);
    EXPECT_EQ(list[1].error, "no");
    EXPECT_EQ(store.webhook_requests("deploy", 1).size(), 1u);
    EXPECT_TRUE(store.webhook_requests("nobody", 10).empty());
}

TEST_F(WebhookStoreTest, StatsCountRequestsAndTheRunsTheyStartedOnce) {
    add_execution("e-ok", "succeeded");
    add_execution("e-bad", "failed");
    add_execution("e-late", "timed_out");
    add_execution("e-run", "running");
    add_request("deploy", 401);
    add_request("deploy", 403);
    add_request("deploy", 202, "e-ok", "d-1");
    add_request("deploy", 202, "e-ok", "d-1");  // a duplicate answered by the same run
    add_request("deploy", 500, "e-bad");        // a sync hook whose run failed
    add_request("deploy", 202, "e-late");
    add_request("deploy", 202, "e-run");
    add_request("other", 413);

    auto stats = store.webhook_stats();
    ASSERT_EQ(stats.size(), 2u);
    const auto& s = stats.at("deploy");
    EXPECT_EQ(s.total, 7);
    EXPECT_EQ(s.accepted, 5);
    EXPECT_EQ(s.rejected, 2);
    EXPECT_EQ(s.succeeded, 1);
    EXPECT_EQ(s.failed, 2);
    ASSERT_TRUE(s.last);
    EXPECT_EQ(s.last->execution_id, "e-run");
    const auto& o = stats.at("other");
    EXPECT_EQ(o.total, 1);
    EXPECT_EQ(o.rejected, 1);
    EXPECT_EQ(o.succeeded + o.failed, 0);
    EXPECT_EQ(o.last->status, 413);
}

TEST_F(WebhookStoreTest, PruningForgetsOldDeliveriesAndKeepsTheNewestRequestsOfEachHook) {
    store.record_delivery("deploy", "old", "e-1", k_now - 25 * k_hour);
    store.record_delivery("deploy", "new", "e-2", k_now - 23 * k_hour);
    for (int i = 0; i < 12; ++i) add_request("deploy", 202, "", "", k_now + i);
    for (int i = 0; i < 3; ++i) add_request("other", 401, "", "", k_now + i);

    EXPECT_EQ(store.prune_webhooks(k_now - 24 * k_hour, 5), 1 + 7);
    EXPECT_EQ(store.find_delivery("deploy", "old", 0), std::nullopt);
    EXPECT_EQ(store.find_delivery("deploy", "new", 0), "e-2");
    auto kept = store.webhook_requests("deploy", 100);
    ASSERT_EQ(kept.size(), 5u);
    EXPECT_EQ(kept.front().received_ms, k_now + 11);
    EXPECT_EQ(kept.back().received_ms, k_now + 7);
    EXPECT_EQ(store.webhook_requests("other", 100).size(), 3u);
}

TEST_F(WebhookStoreTest, GcPrunesWebhooksWhateverTheHistoryPolicy) {
    store.record_delivery("deploy", "old", "e-1", k_now - 25 * k_hour);
    for (int i = 0; i < 1003; ++i) add_request("deploy", 202, "", "", k_now + i);
    store.gc(GcPolicy{}, /*dry_run=*/true, k_now);
    EXPECT_EQ(store.find_delivery("deploy", "old", 0), "e-1");  // a dry run changes nothing
    store.gc(GcPolicy{}, /*dry_run=*/false, k_now);
    EXPECT_EQ(store.find_delivery("deploy", "old", 0), std::nullopt);
    EXPECT_EQ(store.webhook_requests("deploy", 2000).size(), 1000u);
}

}  // namespace
