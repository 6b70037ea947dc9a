// mmf — tests of <mmf/named_event.hpp>: arguments, empty objects, manual and automatic reset,
// initially_set and created_new, timeouts, and across processes: 100,000 ping-pong round trips
// with no lost wake-up, 16 waiters all woken each round, SIGKILL of a waiter.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/named_event.hpp>
#include <mmf/named_semaphore.hpp>

#include "support/error_assertions.hpp"
#include "support/test_support.hpp"
#include "support/timeouts.hpp"

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using mmf::event_reset;
using mmf::named_event;
using mmf_test::unique_name;

using mmf_test::expect_timeout_honoured;

TEST(NamedEvent, EmptyAndMovedFromObjectsThrowBadFileDescriptor) {
  named_event e;
  EXPECT_FALSE(e);
  EXPECT_TRUE(e.name().empty());
  EXPECT_MMF_ERROR(e.set(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(e.reset(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(e.wait(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(e.wait_for(1ms), std::errc::bad_file_descriptor);
  auto a = named_event::create_or_open(unique_name("evt"), event_reset::manual);
  named_event b(std::move(a));
  EXPECT_TRUE(b);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move)
  EXPECT_MMF_ERROR(a.set(), std::errc::bad_file_descriptor);
}

TEST(NamedEvent, BadArgumentsAreInvalidArgument) {
  for (const std::string name : {"", ".", "..", "a/b", "x\\y"}) {
    EXPECT_MMF_ERROR(named_event::create_or_open(name, event_reset::manual),
                     std::errc::invalid_argument);
    EXPECT_MMF_ERROR(named_event::open_existing(name), std::errc::invalid_argument);
  }
  const auto name = unique_name("evt");
  EXPECT_MMF_ERROR(named_event::create_or_open(name, static_cast<event_reset>(7)),
                   std::errc::invalid_argument);
  EXPECT_MMF_ERROR(named_event::open_existing(name), std::errc::no_such_file_or_directory);
  std::error_code ec;
  auto e = named_event::create_or_open(name, static_cast<event_reset>(7), false, nullptr, ec);
  EXPECT_FALSE(e);
  EXPECT_EQ(ec, std::errc::invalid_argument);
  e = named_event::open_existing(name, ec);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
}

TEST(NamedEvent, ManualResetStaysSetUntilReset) {
  auto e = named_event::create_or_open(unique_name("evt"), event_reset::manual);
  EXPECT_FALSE(e.wait_for(0ms));
  e.set();
  e.set();
  EXPECT_TRUE(e.wait_for(0ms));
  EXPECT_TRUE(e.wait_for(10ms));
  e.wait();
  e.reset();
  EXPECT_FALSE(e.wait_for(0ms));
  e.reset();
  EXPECT_FALSE(e.wait_for(1ms));
}

TEST(NamedEvent, AutomaticResetReleasesOneWaitAndKeepsOnePendingSet) {
  auto e = named_event::create_or_open(unique_name("evt"), event_reset::automatic);
  EXPECT_FALSE(e.wait_for(0ms));
  e.set();
  e.set();  // no waiter: still just one pending
  EXPECT_TRUE(e.wait_for(0ms));
  EXPECT_FALSE(e.wait_for(0ms));
  e.set();
  e.reset();
  EXPECT_FALSE(e.wait_for(0ms));
}

TEST(NamedEvent, CreatedNewInitiallySetAndModeBelongToTheCreator) {
  const auto name = unique_name("evt");
  bool created = false;
  auto a = named_event::create_or_open(name, event_reset::automatic, true, &created);
  EXPECT_TRUE(created);
  EXPECT_EQ(a.name(), name);
  auto b = named_event::create_or_open(name, event_reset::manual, false, &created);
  EXPECT_FALSE(created);
  EXPECT_TRUE(b.wait_for(0ms)) << "initially_set by the creator";
  EXPECT_FALSE(b.wait_for(0ms)) << "the creator's automatic mode is kept";
  auto c = named_event::create_or_open(name, event_reset::automatic, true, &created);
  EXPECT_FALSE(created);
  EXPECT_FALSE(c.wait_for(0ms)) << "initially_set ignored when opening";
  auto d = named_event::open_existing(name);
  d.set();
  EXPECT_TRUE(a.wait_for(0ms));
}

TEST(NamedEvent, TimeoutsAreHonoured) {
  auto m = named_event::create_or_open(unique_name("evt"), event_reset::manual);
  auto a = named_event::create_or_open(unique_name("evt"), event_reset::automatic);
  expect_timeout_honoured(100ms, [&](auto d) { return m.wait_for(d); });
  expect_timeout_honoured(30ms, [&](auto d) { return a.wait_for(d); });
  expect_timeout_honoured(1ms, [&](auto d) { return a.wait_for(d); });
}

TEST(NamedEvent, AutomaticResetWakesExactlyOneWaiterPerSet) {
  auto e = named_event::create_or_open(unique_name("evt"), event_reset::automatic);
  constexpr int waiters = 4;
  std::atomic<int> woken{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < waiters; ++i)
    pool.emplace_back([&] {
      if (e.wait_for(10s)) ++woken;
    });
  std::this_thread::sleep_for(30ms);  // let them sleep
  for (int n = 1; n <= waiters; ++n) {
    e.set();
    ASSERT_TRUE(mmf_test::wait_until([&] { return woken.load() >= n; }, 5000ms)) << n;
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(woken.load(), n) << "one set released more than one waiter";
  }
  for (auto& t : pool)
    t.join();
  EXPECT_FALSE(e.wait_for(0ms));
}

TEST(NamedEvent, SetsInQuickSuccessionReleaseAsManySleepingWaiters) {
  auto e = named_event::create_or_open(unique_name("evt"), event_reset::automatic);
  std::atomic<int> woken{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < 3; ++i)
    pool.emplace_back([&] {
      if (e.wait_for(10s)) ++woken;
    });
  std::this_thread::sleep_for(50ms);
  e.set();
  e.set();
  e.set();
  for (auto& t : pool)
    t.join();
  EXPECT_EQ(woken.load(), 3);
}

TEST(NamedEvent, ManualResetWakesAllWaiters) {
  auto e = named_event::create_or_open(unique_name("evt"), event_reset::manual);
  std::atomic<int> woken{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < 8; ++i)
    pool.emplace_back([&] {
      if (e.wait_for(10s)) ++woken;
    });
  std::this_thread::sleep_for(30ms);
  e.set();
  for (auto& t : pool)
    t.join();
  EXPECT_EQ(woken.load(), 8);
}

// ---- Across processes
// ----------------------------------------------------------------------------

TEST(NamedEventProcesses, PingPong100000RoundTripsLoseNoWakeUp) {
  const auto ping_name = unique_name("ping");
  const auto pong_name = unique_name("pong");
  auto ping = named_event::create_or_open(ping_name, event_reset::automatic);
  auto pong = named_event::create_or_open(pong_name, event_reset::automatic);
  constexpr int rounds = 100000;
  auto child = mmf_test::spawn_helper({"event_pong", ping_name, pong_name, std::to_string(rounds)});
  ASSERT_EQ(child.read_line(), "ready");
  int lost = 0;
  const auto t0 = clock_type::now();
  for (int i = 0; i < rounds; ++i) {
    ping.set();
    if (!pong.wait_for(10s)) {
      lost = 1;
      ADD_FAILURE() << "round " << i << ": no pong within 10 s (a lost wake-up)";
      break;
    }
  }
  const double seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(child.read_line(), "done");
  EXPECT_EQ(child.wait(), 0);
  EXPECT_FALSE(ping.wait_for(0ms));
  EXPECT_FALSE(pong.wait_for(0ms));
  std::printf(
      "[ figures  ] %d auto-reset ping-pong round trips between 2 processes: %.2f s, "
      "%.0f round trips/s, %d lost wake-ups\n",
      rounds, seconds, rounds / seconds, lost);
}

TEST(NamedEventProcesses, SixteenWaitersOnAManualEventAllWokenEachRound) {
  const std::string go0 = unique_name("go"), go1 = unique_name("go");
  const std::string ready_name = unique_name("ready"), done_name = unique_name("done");
  named_event go[2] = {named_event::create_or_open(go0, event_reset::manual),
                       named_event::create_or_open(go1, event_reset::manual)};
  constexpr int children = 4, threads = 4, waiters = children * threads, rounds = 50;
  auto ready = mmf::named_semaphore::create_or_open(ready_name, 0, 1u << 20);
  auto done = mmf::named_semaphore::create_or_open(done_name, 0, 1u << 20);
  std::vector<mmf_test::child_process> kids;
  for (int i = 0; i < children; ++i)
    kids.push_back(mmf_test::spawn_helper({"event_waiters", go0, go1, ready_name, done_name,
                                           std::to_string(threads), std::to_string(rounds)}));
  int fully_woken_rounds = 0;
  for (int r = 0; r < rounds; ++r) {
    for (int i = 0; i < waiters; ++i)
      ASSERT_TRUE(ready.try_acquire_for(20s)) << "round " << r;
    std::this_thread::sleep_for(1ms);  // most are asleep in the kernel now
    const int woken = mmf_test::open_gate_and_count(go, r, done, waiters);
    EXPECT_EQ(woken, waiters) << "round " << r;
    if (woken == waiters) ++fully_woken_rounds;
  }
  for (auto& k : kids) {
    EXPECT_EQ(k.read_line(), "done");
    EXPECT_EQ(k.wait(), 0);
  }
  EXPECT_EQ(fully_woken_rounds, rounds);
  std::printf(
      "[ figures  ] manual-reset event: %d waiters (%d processes x %d threads) all woken "
      "in %d of %d rounds\n",
      waiters, children, threads, fully_woken_rounds, rounds);
}

TEST(NamedEventProcesses, SigkillOfAWaiterDoesNotDisturbTheOthers) {
  for (const auto mode : {event_reset::manual, event_reset::automatic}) {
    const auto name = unique_name("evt");
    auto e = named_event::create_or_open(name, mode);
    std::vector<mmf_test::child_process> kids;
    for (int i = 0; i < 3; ++i) {
      kids.push_back(mmf_test::spawn_helper({"event_wait", name, "20000"}));
      ASSERT_EQ(kids.back().read_line(), "waiting");
    }
    std::this_thread::sleep_for(50ms);  // all three asleep in the kernel
    kids[1].kill();
    EXPECT_EQ(kids[1].wait(), mmf_test::child_process::killed_status);
    e.set();
    if (mode == event_reset::automatic) e.set();  // one per surviving waiter
    for (int i : {0, 2}) {
      EXPECT_EQ(kids[i].read_line(), "signaled") << "waiter " << i;
      EXPECT_EQ(kids[i].wait(), 0);
    }
    // The event still works for newcomers.
    if (mode == event_reset::manual) {
      e.reset();
    }
    auto late = mmf_test::spawn_helper({"event_wait", name, "20000"});
    ASSERT_EQ(late.read_line(), "waiting");
    e.set();
    EXPECT_EQ(late.read_line(), "signaled");
    EXPECT_EQ(late.wait(), 0);
  }
}

TEST(NamedEventProcesses, TimeoutInAnotherProcess) {
  const auto name = unique_name("evt");
  auto e = named_event::create_or_open(name, event_reset::automatic);
  auto kid = mmf_test::spawn_helper({"event_wait", name, "50"});
  EXPECT_EQ(kid.read_line(), "waiting");
  EXPECT_EQ(kid.read_line(), "timed_out");
  EXPECT_EQ(kid.wait(), 0);
}

}  // namespace
