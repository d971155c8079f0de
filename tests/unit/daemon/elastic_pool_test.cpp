#include "http/elastic_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace flowctl::daemon {
namespace {

using namespace std::chrono_literals;

TEST(ElasticPool, StartsWithNoThreadsAndGrowsUpToTheLimit) {
    ElasticPool pool(3, 10s);
    EXPECT_EQ(pool.threads(), 0u);
    std::mutex m;
    std::condition_variable cv;
    bool release = false;
    std::atomic<int> started{0}, done{0};
    for (int i = 0; i < 5; ++i)
        pool.enqueue([&] {
            started++;
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return release; });
            done++;
        });
    for (int i = 0; i < 200 && started < 3; ++i) std::this_thread::sleep_for(5ms);
    EXPECT_EQ(started, 3);  // two jobs wait for a free thread
    EXPECT_EQ(pool.threads(), 3u);
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    pool.shutdown();
    EXPECT_EQ(done, 5);
    EXPECT_EQ(pool.threads(), 0u);
}

TEST(ElasticPool, IdleThreadsExitAndNewWorkStartsOneAgain) {
    ElasticPool pool(4, 50ms);
    std::atomic<int> done{0};
    pool.enqueue([&] { done++; });
    for (int i = 0; i < 200 && pool.threads() > 0; ++i) std::this_thread::sleep_for(5ms);
    EXPECT_EQ(pool.threads(), 0u);
    pool.enqueue([&] { done++; });
    pool.shutdown();
    EXPECT_EQ(done, 2);
}

TEST(ElasticPool, ReusesAnIdleThreadInsteadOfStartingAnother) {
    ElasticPool pool(8, 10s);
    std::atomic<int> done{0};
    for (int i = 0; i < 20; ++i) {
        pool.enqueue([&] { done++; });
        for (int j = 0; j < 200 && done <= i; ++j) std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(done, 20);
    EXPECT_LE(pool.threads(), 2u);
}

}  // namespace
}  // namespace flowctl::daemon
