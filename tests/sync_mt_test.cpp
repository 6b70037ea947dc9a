// mmf — the protocols of the multi-process sync tests, with threads of one process, so that
// ThreadSanitizer (which cannot see across processes) checks them: ping-pong on two auto-reset
// events, waiters on a manual event woken each round, exclusion by the mutex and by a semaphore,
// abandonment by thread end and by destruction, timeouts. Labelled `tsan` by tests/CMakeLists.txt.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/named_event.hpp>
#include <mmf/named_mutex.hpp>
#include <mmf/named_semaphore.hpp>

#include "support/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using mmf::event_reset;
using mmf::lock_status;
using mmf::named_event;
using mmf::named_mutex;
using mmf::named_semaphore;
using mmf_test::unique_name;

// Runs body(t) on `threads` threads at once (t = 0, 1, ...) and waits for them all.
template <class Body>
void on_threads(int threads, Body body) {
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&body, t] { body(t); });
  for (auto& th : pool)
    th.join();
}

// TSan follows happens-before through one address only, and every named_* object maps the shared
// memory at its own address: where a test checks plain data handed over by the primitive, the
// threads share one object (which the API allows); where they use objects of their own, the
// check uses atomics and the ordering is not TSan's to verify.
TEST(SyncThreads, PingPongOnTwoAutoResetEvents) {
  auto ping = named_event::create_or_open(unique_name("ping"), event_reset::automatic);
  auto pong = named_event::create_or_open(unique_name("pong"), event_reset::automatic);
  constexpr int rounds = 20000;
  std::atomic<int> lost{0};
  int payload = 0;  // handed over by the events: TSan checks the happens-before they give
  std::thread other([&] {
    for (int i = 0; i < rounds; ++i) {
      if (!ping.wait_for(10s)) {
        ++lost;
        return;
      }
      ++payload;
      pong.set();
    }
  });
  for (int i = 0; i < rounds && lost == 0; ++i) {
    ping.set();
    if (!pong.wait_for(10s)) {
      ++lost;
      break;
    }
    ASSERT_EQ(payload, i + 1);
  }
  other.join();
  EXPECT_EQ(lost.load(), 0);
}

TEST(SyncThreads, PingPongWithObjectsOfTheirOwn) {
  const auto ping_name = unique_name("ping"), pong_name = unique_name("pong");
  auto ping = named_event::create_or_open(ping_name, event_reset::automatic);
  auto pong = named_event::create_or_open(pong_name, event_reset::automatic);
  constexpr int rounds = 20000;
  std::atomic<int> lost{0};
  std::atomic<int> payload{0};
  std::thread other([&] {
    auto my_ping = named_event::open_existing(ping_name);  // as another process would
    auto my_pong = named_event::open_existing(pong_name);
    for (int i = 0; i < rounds; ++i) {
      if (!my_ping.wait_for(10s)) {
        ++lost;
        return;
      }
      payload.fetch_add(1, std::memory_order_relaxed);
      my_pong.set();
    }
  });
  for (int i = 0; i < rounds && lost == 0; ++i) {
    ping.set();
    if (!pong.wait_for(10s)) {
      ++lost;
      break;
    }
    ASSERT_EQ(payload.load(std::memory_order_relaxed), i + 1);
  }
  other.join();
  EXPECT_EQ(lost.load(), 0);
}

TEST(SyncThreads, WaitersOnAManualEventAllWokenEachRound) {
  named_event go[2] = {named_event::create_or_open(unique_name("go"), event_reset::manual),
                       named_event::create_or_open(unique_name("go"), event_reset::manual)};
  auto ready = named_semaphore::create_or_open(unique_name("ready"), 0, 1000);
  auto done = named_semaphore::create_or_open(unique_name("done"), 0, 1000);
  constexpr int waiters = 16, rounds = 30;
  std::atomic<bool> failed{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < waiters; ++t)
    pool.emplace_back([&] {
      for (int r = 0; r < rounds && !failed; ++r) {
        ready.release();
        if (!go[r % 2].wait_for(10s)) {
          failed = true;
          return;
        }
        done.release();
      }
    });
  for (int r = 0; r < rounds && !failed; ++r) {
    for (int i = 0; i < waiters; ++i)
      ASSERT_TRUE(ready.try_acquire_for(20s));
    const int woken = mmf_test::open_gate_and_count(go, r, done, waiters);
    EXPECT_EQ(woken, waiters) << "round " << r;
  }
  for (auto& t : pool)
    t.join();
  EXPECT_FALSE(failed);
}

TEST(SyncThreads, MutexExclusion) {
  auto m = named_mutex::create_or_open(unique_name("mtx"));
  std::uint64_t counter = 0;  // plain: the named mutex must order every access
  on_threads(4, [&](int t) {
    for (int i = 0; i < 2000; ++i) {
      if (t % 2 == 0) {
        std::lock_guard<named_mutex> g(m);
        ++counter;
      } else {
        while (!m.try_lock_for(1ms)) {
        }
        ++counter;
        m.unlock();
      }
    }
  });
  EXPECT_EQ(counter, 8000u);
}

TEST(SyncThreads, MutexExclusionWithObjectsOfTheirOwn) {
  const auto name = unique_name("mtx");
  auto m = named_mutex::create_or_open(name);
  std::atomic<bool> inside{false};
  std::atomic<int> overlaps{0}, entries{0};
  on_threads(4, [&](int) {
    auto mine = named_mutex::open_existing(name);
    for (int i = 0; i < 2000; ++i) {
      std::lock_guard<named_mutex> g(mine);
      if (inside.exchange(true)) ++overlaps;
      ++entries;
      inside.store(false);
    }
  });
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(entries.load(), 8000);
}

TEST(SyncThreads, SemaphoreExclusionAndHandOver) {
  auto s = named_semaphore::create_or_open(unique_name("sem"), 1, 1);
  std::uint64_t counter = 0;
  on_threads(4, [&](int) {
    for (int i = 0; i < 2000; ++i) {
      s.acquire();
      ++counter;
      s.release();
    }
  });
  EXPECT_EQ(counter, 8000u);
}

TEST(SyncThreads, AbandonedByThreadEndAndByDestruction) {
  const auto name = unique_name("mtx");
  auto m = named_mutex::create_or_open(name);
  std::atomic<int> data{0};
  for (int round = 0; round < 50; ++round) {
    std::thread t([&] {
      if (round % 2 == 0) {
        m.lock();  // the thread ends owning it
        ++data;
      } else {
        auto mine = named_mutex::open_existing(name);
        mine.lock();
        ++data;
      }  // destroyed owning it
    });
    t.join();
    ASSERT_EQ(m.acquire(5s), lock_status::abandoned) << "round " << round;
    ++data;
    m.unlock();
  }
  EXPECT_EQ(data.load(), 100);
}

TEST(SyncThreads, TimedWaitsAgainstBusyObjects) {
  auto m = named_mutex::create_or_open(unique_name("mtx"));
  auto e = named_event::create_or_open(unique_name("evt"), event_reset::automatic);
  auto s = named_semaphore::create_or_open(unique_name("sem"), 0, 4);
  m.lock();
  std::thread t([&] {
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_FALSE(m.try_lock_for(20ms));
    EXPECT_FALSE(e.wait_for(20ms));
    EXPECT_FALSE(s.try_acquire_for(20ms));
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 60ms);
    EXPECT_EQ(m.acquire(10s), lock_status::acquired);
    m.unlock();
  });
  std::this_thread::sleep_for(100ms);
  m.unlock();
  t.join();
}

}  // namespace
