// mmf — wait_any / wait_all over named mutexes, events and semaphores: the argument errors, what
// each kind of object gives up when taken, the lowest index first, timeouts, abandoned mutexes,
// all-or-nothing for wait_all, wake-ups from other threads, and events set by other processes.
#include <algorithm>
#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/mmf.hpp>

#include "support/error_assertions.hpp"
#include "support/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using mmf::event_reset;
using mmf::named_event;
using mmf::named_mutex;
using mmf::named_semaphore;
using mmf::waitable;

std::string name(const char* prefix) {
  return mmf_test::unique_name(prefix);
}

TEST(Wait, ArgumentErrorsAreInvalidArgument) {
  auto e = named_event::create_or_open(name("w_arg"), event_reset::manual, true);
  named_event empty;
  std::vector<waitable> none;
  std::string what = MMF_ERROR_WHAT(mmf::wait_any(none, 0ns), std::errc::invalid_argument);
  EXPECT_NE(what.find("wait_any"), std::string::npos) << what;
  what = MMF_ERROR_WHAT(mmf::wait_all(none, 0ns), std::errc::invalid_argument);
  EXPECT_NE(what.find("wait_all"), std::string::npos) << what;
  std::vector<waitable> with_null{&e, static_cast<named_mutex*>(nullptr)};
  EXPECT_MMF_ERROR(mmf::wait_any(with_null, 0ns), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(mmf::wait_all(with_null, 0ns), std::errc::invalid_argument);
  std::vector<waitable> with_empty{&e, &empty};
  EXPECT_MMF_ERROR(mmf::wait_any(with_empty, 0ns), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(mmf::wait_all(with_empty, 0ns), std::errc::invalid_argument);
  std::vector<waitable> twice{&e, &e};
  EXPECT_MMF_ERROR(mmf::wait_all(twice, 0ns), std::errc::invalid_argument);
  EXPECT_EQ(mmf::wait_any(twice, 0ns), 0u);  // wait_any may name one object twice
  std::vector<waitable> many(64, &e);
  EXPECT_EQ(mmf::wait_any(many, 0ns), 0u);
  many.push_back(&e);
  EXPECT_MMF_ERROR(mmf::wait_any(many, 0ns), std::errc::invalid_argument);
}

TEST(Wait, AnyTakesTheLowestSignalledIndexAndWhatItOwns) {
  auto a = named_event::create_or_open(name("w_a"), event_reset::automatic);
  auto b = named_event::create_or_open(name("w_b"), event_reset::automatic);
  auto s = named_semaphore::create_or_open(name("w_s"), 0, 5);
  auto m = named_event::create_or_open(name("w_m"), event_reset::manual);
  std::vector<waitable> set{&a, &b, &s, &m};
  EXPECT_EQ(mmf::wait_any(set, 0ns), std::nullopt);
  EXPECT_EQ(mmf::wait_any(set, 20ms), std::nullopt);
  b.set();
  a.set();
  s.release(2);
  EXPECT_EQ(mmf::wait_any(set, 0ns), 0u);  // a, consumed
  EXPECT_EQ(mmf::wait_any(set, 0ns), 1u);  // then b
  EXPECT_EQ(mmf::wait_any(set), 2u);       // then the semaphore, one count at a time
  EXPECT_EQ(mmf::wait_any(set, 0ns), 2u);
  EXPECT_EQ(mmf::wait_any(set, 0ns), std::nullopt);
  m.set();
  EXPECT_EQ(mmf::wait_any(set, 0ns), 3u);  // a manual event stays set
  EXPECT_EQ(mmf::wait_any(set, 0ns), 3u);
  EXPECT_FALSE(a.wait_for(0ms));
  EXPECT_FALSE(s.try_acquire());
}

TEST(Wait, AnyLocksAMutexAndReportsAbandonment) {
  const std::string n = name("w_mx");
  auto mine = named_mutex::create_or_open(n);
  auto e = named_event::create_or_open(name("w_mxe"), event_reset::manual);
  std::vector<waitable> set{&e, &mine};
  bool abandoned = true;
  EXPECT_EQ(mmf::wait_any(set, 0ns, &abandoned), 1u);
  EXPECT_FALSE(abandoned);
  bool other_got = true;
  std::thread([&] { other_got = named_mutex::open_existing(n).try_lock(); }).join();
  EXPECT_FALSE(other_got);  // this thread owns it now
  mine.unlock();
  // A thread that destroys its named_mutex while owning it abandons it.
  std::thread([&] {
    auto theirs = named_mutex::open_existing(n);
    theirs.lock();
  }).join();
  EXPECT_EQ(mmf::wait_any(set, 1s, &abandoned), 1u);
  EXPECT_TRUE(abandoned);
  EXPECT_TRUE(mine.owned_after_abandonment());
  mine.unlock();
}

TEST(Wait, AnyWakesWhenAnotherThreadSignals) {
  auto a = named_event::create_or_open(name("w_wa"), event_reset::automatic);
  auto s = named_semaphore::create_or_open(name("w_ws"), 0, 1);
  const std::string mn = name("w_wm");
  auto m = named_mutex::create_or_open(mn);
  std::vector<waitable> set{&a, &s};
  std::thread t1 = mmf_test::run_after(20ms, [&] { s.release(); });
  EXPECT_EQ(mmf::wait_any(set, 10s), 1u);
  t1.join();
  std::thread t2 = mmf_test::run_after(20ms, [&] { a.set(); });
  EXPECT_EQ(mmf::wait_any(set, 10s), 0u);
  t2.join();
  // A mutex held by another thread: taken once it is unlocked.
  named_event held = named_event::create_or_open(name("w_wh"), event_reset::manual);
  named_event go = named_event::create_or_open(name("w_wg"), event_reset::manual);
  std::thread t3([&] {
    auto theirs = named_mutex::open_existing(mn);
    theirs.lock();
    held.set();
    go.wait();
    theirs.unlock();
  });
  held.wait();
  std::vector<waitable> with_mutex{&a, &m};
  EXPECT_EQ(mmf::wait_any(with_mutex, 20ms), std::nullopt);
  go.set();
  EXPECT_EQ(mmf::wait_any(with_mutex, 10s), 1u);
  m.unlock();
  t3.join();
}

TEST(Wait, AllTakesEverythingOrNothing) {
  auto a = named_event::create_or_open(name("w_aa"), event_reset::automatic);
  auto m = named_event::create_or_open(name("w_am"), event_reset::manual);
  auto s = named_semaphore::create_or_open(name("w_as"), 1, 3);
  const std::string mn = name("w_amx");
  auto mx = named_mutex::create_or_open(mn);
  std::vector<waitable> set{&s, &mx, &a, &m};
  // The events are missing: nothing is taken, whatever the order.
  EXPECT_FALSE(mmf::wait_all(set, 0ns));
  EXPECT_FALSE(mmf::wait_all(set, 30ms));
  bool free = false;
  std::thread([&] {
    auto theirs = named_mutex::open_existing(mn);
    free = theirs.try_lock();
    if (free) theirs.unlock();
  }).join();
  EXPECT_TRUE(free);
  EXPECT_EQ(s.release(), 1u);  // the count given back: it was 1
  EXPECT_TRUE(s.try_acquire());
  a.set();
  EXPECT_FALSE(mmf::wait_all(set, 0ns));  // still missing the manual event
  EXPECT_TRUE(a.wait_for(0ms));           // a's signal was given back
  a.set();
  m.set();
  EXPECT_TRUE(mmf::wait_all(set, 0ns));
  EXPECT_FALSE(a.wait_for(0ms));  // taken
  EXPECT_FALSE(s.try_acquire());  // taken (the count was 1)
  EXPECT_TRUE(m.wait_for(0ms));   // observed, still set
  std::thread([&] { free = named_mutex::open_existing(mn).try_lock(); }).join();
  EXPECT_FALSE(free);
  mx.unlock();
}

TEST(Wait, AllWaitsForTheLastOne) {
  auto a = named_event::create_or_open(name("w_la"), event_reset::automatic);
  auto s = named_semaphore::create_or_open(name("w_ls"), 1, 1);
  std::vector<waitable> set{&a, &s};
  std::thread t = mmf_test::run_after(20ms, [&] { a.set(); });
  EXPECT_TRUE(mmf::wait_all(set, 10s));
  t.join();
  EXPECT_FALSE(s.try_acquire());
  EXPECT_FALSE(a.wait_for(0ms));
}

// Eight children each set one event after a random delay: every index is reported exactly once.
TEST(WaitProcesses, AnyReportsEveryEventSetByEightChildrenOnce) {
  constexpr int kEvents = 8;
  std::vector<named_event> events;
  std::vector<std::string> names;
  for (int i = 0; i < kEvents; ++i) {
    names.push_back(name("w_p"));
    events.push_back(named_event::create_or_open(names.back(), event_reset::automatic));
  }
  std::vector<waitable> set;
  for (auto& e : events)
    set.push_back(&e);
  std::mt19937 rng(std::random_device{}());
  std::vector<mmf_test::child_process> children;
  for (int i = 0; i < kEvents; ++i) {
    const int delay = static_cast<int>(rng() % 200);
    children.push_back(
        mmf_test::spawn_helper({"event_set_after", names[i], std::to_string(delay)}));
    ASSERT_EQ(children.back().read_line(), "ready");
  }
  std::vector<int> seen(kEvents, 0);
  for (int i = 0; i < kEvents; ++i) {
    const auto index = mmf::wait_any(set, 30s);
    ASSERT_TRUE(index.has_value());
    ++seen[*index];
  }
  EXPECT_EQ(mmf::wait_any(set, 0ns), std::nullopt);
  for (int i = 0; i < kEvents; ++i)
    EXPECT_EQ(seen[i], 1) << "event " << i;
  for (auto& c : children)
    EXPECT_EQ(c.wait(), 0);
}

}  // namespace
