// mmf — tests of <mmf/named_mutex.hpp>: arguments, empty objects, recursion, ownership,
// initially_owned, created_new, timeouts, and abandonment (thread end, destruction by the owner,
// process exit and SIGKILL of the owner, 200 times).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/memory_mapped_file.hpp>
#include <mmf/named_mutex.hpp>
#include <mmf/view_accessor.hpp>

#include "support/error_assertions.hpp"
#include "support/test_support.hpp"
#include "support/timeouts.hpp"

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using mmf::lock_status;
using mmf::named_mutex;
using mmf_test::unique_name;

using mmf_test::expect_timeout_honoured;

// Runs f on another thread and waits for it.
template <class F>
void on_other_thread(F&& f) {
  std::thread t(std::forward<F>(f));
  t.join();
}

TEST(NamedMutex, EmptyAndMovedFromObjectsThrowBadFileDescriptor) {
  named_mutex m;
  EXPECT_FALSE(m);
  EXPECT_TRUE(m.name().empty());
  EXPECT_MMF_ERROR(m.lock(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(m.try_lock(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(m.try_lock_for(1ms), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(m.unlock(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(m.acquire(0ns), std::errc::bad_file_descriptor);

  auto a = named_mutex::create_or_open(unique_name("mtx"));
  ASSERT_TRUE(a);
  named_mutex b = std::move(a);
  EXPECT_TRUE(b);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_MMF_ERROR(a.lock(), std::errc::bad_file_descriptor);
  EXPECT_TRUE(a.name().empty());
}

TEST(NamedMutex, BadNamesAreInvalidArgument) {
  const std::vector<std::string> bad = {"",        ".",        "..",
                                        "a/b",     "a\\b",     std::string(201, 'x'),
                                        "Local\\", "Global\\", std::string("a\0b", 3),
                                        "\xff"};
  for (const auto& name : bad) {
    EXPECT_MMF_ERROR(named_mutex::create_or_open(name), std::errc::invalid_argument) << name;
    EXPECT_MMF_ERROR(named_mutex::open_existing(name), std::errc::invalid_argument) << name;
    std::error_code ec;
    auto m = named_mutex::create_or_open(name, false, nullptr, ec);
    EXPECT_FALSE(m);
    EXPECT_EQ(ec, std::errc::invalid_argument);
  }
}

TEST(NamedMutex, OpenExistingOfAMissingNameNamesTheOperationAndName) {
  const auto name = unique_name("mtx");
  const std::string what =
      MMF_ERROR_WHAT(named_mutex::open_existing(name), std::errc::no_such_file_or_directory);
  EXPECT_NE(what.find("open_existing"), std::string::npos) << what;
  EXPECT_NE(what.find(name), std::string::npos) << what;
  std::error_code ec;
  auto m = named_mutex::open_existing(name, ec);
  EXPECT_FALSE(m);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
}

TEST(NamedMutex, CreatedNewAndNameAsGiven) {
  const auto name = unique_name("mtx");
  bool created = false;
  auto a = named_mutex::create_or_open(name, false, &created);
  EXPECT_TRUE(created);
  EXPECT_EQ(a.name(), name);
  auto b = named_mutex::create_or_open("Local\\" + name, false, &created);
  EXPECT_FALSE(created);
  EXPECT_EQ(b.name(), "Local\\" + name);
  std::error_code ec;
  created = true;
  auto c = named_mutex::create_or_open(name, false, &created, ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(c);
  EXPECT_FALSE(created);
  auto d = named_mutex::open_existing(name);
  EXPECT_TRUE(d);
}

TEST(NamedMutex, TheObjectGoesAwayWithItsLastHandle) {
  const auto name = unique_name("mtx");
  { auto a = named_mutex::create_or_open(name); }
  EXPECT_MMF_ERROR(named_mutex::open_existing(name), std::errc::no_such_file_or_directory);
}

TEST(NamedMutex, RecursiveForItsOwner) {
  auto m = named_mutex::create_or_open(unique_name("mtx"));
  m.lock();
  EXPECT_TRUE(m.try_lock());
  EXPECT_EQ(m.acquire(), lock_status::acquired);
  std::atomic<bool> other{true};
  on_other_thread([&] { other = m.try_lock(); });
  EXPECT_FALSE(other);
  m.unlock();
  m.unlock();
  on_other_thread([&] { other = m.try_lock(); });
  EXPECT_FALSE(other) << "one level is still held";
  m.unlock();
  EXPECT_MMF_ERROR(m.unlock(), std::errc::operation_not_permitted);
  on_other_thread([&] {
    other = m.try_lock();
    if (other) m.unlock();
  });
  EXPECT_TRUE(other);
}

TEST(NamedMutex, UnlockByANonOwnerIsOperationNotPermitted) {
  const auto name = unique_name("mtx");
  auto m = named_mutex::create_or_open(name);
  EXPECT_MMF_ERROR(m.unlock(), std::errc::operation_not_permitted);
  m.lock();
  std::string what;
  on_other_thread([&] { what = MMF_ERROR_WHAT(m.unlock(), std::errc::operation_not_permitted); });
  EXPECT_NE(what.find("unlock"), std::string::npos) << what;
  EXPECT_NE(what.find(name), std::string::npos) << what;
  m.unlock();
}

TEST(NamedMutex, LockGuardAndUniqueLockWork) {
  auto m = named_mutex::create_or_open(unique_name("mtx"));
  {
    std::lock_guard<named_mutex> g(m);
    std::unique_lock<named_mutex> u(m, std::defer_lock);
    EXPECT_TRUE(u.try_lock_for(10ms));  // recursive
  }
  std::unique_lock<named_mutex> u(m, 5ms);
  EXPECT_TRUE(u.owns_lock());
}

TEST(NamedMutex, InitiallyOwnedOnlyForTheCreator) {
  const auto name = unique_name("mtx");
  bool created = false;
  auto a = named_mutex::create_or_open(name, true, &created);
  ASSERT_TRUE(created);
  std::atomic<bool> other{true};
  on_other_thread([&] { other = a.try_lock(); });
  EXPECT_FALSE(other) << "the creator owns it";
  on_other_thread([&] {
    bool created2 = true;
    auto b = named_mutex::create_or_open(name, true, &created2);
    EXPECT_FALSE(created2);
    EXPECT_MMF_ERROR(b.unlock(), std::errc::operation_not_permitted);  // not owned by opener
  });
  a.unlock();
  EXPECT_MMF_ERROR(a.unlock(), std::errc::operation_not_permitted);
}

TEST(NamedMutex, TimeoutsAreHonoured) {
  auto m = named_mutex::create_or_open(unique_name("mtx"));
  m.lock();
  on_other_thread([&] {
    EXPECT_EQ(m.acquire(0ns), lock_status::timed_out);
    EXPECT_FALSE(m.try_lock());
    expect_timeout_honoured(100ms, [&](auto d) { return m.try_lock_for(d); });
    expect_timeout_honoured(20ms, [&](auto d) { return m.acquire(d) != lock_status::timed_out; });
  });
  m.unlock();
}

TEST(NamedMutex, AWaiterGetsItWhenReleased) {
  auto m = named_mutex::create_or_open(unique_name("mtx"));
  m.lock();
  std::atomic<int> got{-1};
  std::thread t([&] {
    got = static_cast<int>(m.acquire(5s));
    m.unlock();
  });
  std::this_thread::sleep_for(20ms);
  m.unlock();
  t.join();
  EXPECT_EQ(got, static_cast<int>(lock_status::acquired));
}

TEST(NamedMutex, AThreadThatEndsWhileOwningAbandonsIt) {
  auto m = named_mutex::create_or_open(unique_name("mtx"));
  on_other_thread([&] {
    m.lock();
    m.lock();  // two levels: all go with the thread
  });
  EXPECT_EQ(m.acquire(1s), lock_status::abandoned);
  EXPECT_EQ(m.acquire(0ns), lock_status::acquired);  // recursive, no longer abandoned
  m.unlock();
  m.unlock();
  EXPECT_MMF_ERROR(m.unlock(), std::errc::operation_not_permitted);
  EXPECT_EQ(m.acquire(0ns), lock_status::acquired);
  m.unlock();
}

TEST(NamedMutex, OwnedAfterAbandonmentIsSeenThroughLockAndClearedByTheLastUnlock) {
  auto m = named_mutex::create_or_open(unique_name("mtx"));
  EXPECT_FALSE(m.owned_after_abandonment()) << "not owned";
  m.lock();
  EXPECT_FALSE(m.owned_after_abandonment()) << "a normal acquisition";
  m.unlock();
  on_other_thread([&] { m.lock(); });  // the thread ends owning it
  {
    std::lock_guard<named_mutex> hold(m);  // lock() takes it over silently...
    EXPECT_TRUE(m.owned_after_abandonment()) << "...but it can be told";
    bool other_thread_sees = true;
    on_other_thread([&] { other_thread_sees = m.owned_after_abandonment(); });
    EXPECT_FALSE(other_thread_sees) << "only the owning thread";
    {
      std::lock_guard<named_mutex> again(m);
      EXPECT_TRUE(m.owned_after_abandonment()) << "a recursive level keeps it";
    }
    EXPECT_TRUE(m.owned_after_abandonment()) << "one level is still owned";
  }
  EXPECT_FALSE(m.owned_after_abandonment()) << "the unlock that released ownership clears it";
  m.lock();
  EXPECT_FALSE(m.owned_after_abandonment()) << "the next acquisition is normal";
  m.unlock();
  // try_lock and try_lock_for take over as well.
  on_other_thread([&] { m.lock(); });
  ASSERT_TRUE(m.try_lock());
  EXPECT_TRUE(m.owned_after_abandonment());
  m.unlock();
  on_other_thread([&] { m.lock(); });
  ASSERT_TRUE(m.try_lock_for(1s));
  EXPECT_TRUE(m.owned_after_abandonment());
  m.unlock();
  EXPECT_FALSE(m.owned_after_abandonment());
  EXPECT_FALSE(named_mutex().owned_after_abandonment()) << "an empty object";
}

TEST(NamedMutex, DestroyingTheObjectInTheOwningThreadAbandonsIt) {
  const auto name = unique_name("mtx");
  auto m = named_mutex::create_or_open(name);
  std::thread t([&] {
    auto mine = named_mutex::open_existing(name);
    mine.lock();
    mine.lock();
    // destroyed here while owning it (twice)
  });
  t.join();
  EXPECT_EQ(m.acquire(0ns), lock_status::abandoned);
  m.unlock();
  EXPECT_EQ(m.acquire(0ns), lock_status::acquired);
  m.unlock();

  // Move-assigning over an owning object abandons too.
  {
    auto mine = named_mutex::open_existing(name);
    on_other_thread([&] {
      auto other = named_mutex::open_existing(name);
      EXPECT_EQ(other.acquire(0ns), lock_status::acquired);
      other = named_mutex();
    });
  }
  EXPECT_EQ(m.acquire(0ns), lock_status::abandoned);
  m.unlock();
}

TEST(NamedMutex, DestroyingAnotherObjectOfTheSameNameDoesNotAbandon) {
  const auto name = unique_name("mtx");
  auto m = named_mutex::create_or_open(name);
  m.lock();
  { auto other = named_mutex::open_existing(name); }  // not locked through this one
  std::atomic<bool> got{true};
  on_other_thread([&] { got = m.try_lock(); });
  EXPECT_FALSE(got);
  m.unlock();
  EXPECT_EQ(m.acquire(0ns), lock_status::acquired);
  m.unlock();
}

TEST(NamedMutex, ExclusionAcrossThreads) {
  auto m = named_mutex::create_or_open(unique_name("mtx"));
  std::uint64_t counter = 0;
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t)
    pool.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        std::lock_guard<named_mutex> g(m);
        ++counter;
      }
    });
  for (auto& t : pool)
    t.join();
  EXPECT_EQ(counter, 20000u);
}

// ---- Across processes
// ----------------------------------------------------------------------------

TEST(NamedMutexProcesses, CreatedNewAndInitiallyOwnedAcrossProcesses) {
  const auto name = unique_name("mtx");
  {
    auto child = mmf_test::spawn_helper({"mutex_created", name});
    EXPECT_EQ(child.read_line(), "created");
    EXPECT_EQ(child.read_line(), "owner");
    EXPECT_EQ(child.wait(), 0);
  }
  auto m = named_mutex::create_or_open(name, true);
  auto child = mmf_test::spawn_helper({"mutex_created", name});
  EXPECT_EQ(child.read_line(), "opened");
  EXPECT_EQ(child.read_line(), "not_owner");
  EXPECT_EQ(child.wait(), 0);
  m.unlock();
}

TEST(NamedMutexProcesses, AnotherProcessWaitsThenGetsIt) {
  const auto name = unique_name("mtx");
  auto m = named_mutex::create_or_open(name);
  auto holder = mmf_test::spawn_helper({"mutex_hold", name});
  ASSERT_EQ(holder.read_line(), "locked");
  expect_timeout_honoured(50ms, [&](auto d) { return m.try_lock_for(d); });
  ASSERT_TRUE(holder.write_line("unlock"));
  ASSERT_EQ(holder.read_line(), "unlocked");
  EXPECT_EQ(m.acquire(1s), lock_status::acquired);
  auto other = mmf_test::spawn_helper({"mutex_acquire", name, "30"});
  EXPECT_EQ(other.read_line(), "timed_out");
  m.unlock();
  holder.close_stdin();
  EXPECT_EQ(holder.wait(), 0);
}

TEST(NamedMutexProcesses, ExitWhileOwningAbandonsIt) {
  const auto name = unique_name("mtx");
  auto m = named_mutex::create_or_open(name);
  auto holder = mmf_test::spawn_helper({"mutex_hold", name});
  ASSERT_EQ(holder.read_line(), "locked");
  ASSERT_TRUE(holder.write_line("exit"));
  EXPECT_EQ(holder.wait(), 0);
  EXPECT_EQ(m.acquire(1s), lock_status::abandoned);
  m.unlock();
  // Another process now gets a working, no longer abandoned mutex.
  auto other = mmf_test::spawn_helper({"mutex_acquire", name, "1000"});
  EXPECT_EQ(other.read_line(), "acquired");
  EXPECT_EQ(other.wait(), 0);
}

TEST(NamedMutexProcesses, OwnedAfterAbandonmentAcrossProcesses) {
  const auto name = unique_name("mtx");
  auto m = named_mutex::create_or_open(name);
  // A process killed while owning it: the parent's lock_guard takes over and can tell.
  auto holder = mmf_test::spawn_helper({"mutex_hold", name});
  ASSERT_EQ(holder.read_line(), "locked");
  holder.kill();
  EXPECT_EQ(holder.wait(), mmf_test::child_process::killed_status);
  {
    std::lock_guard<named_mutex> hold(m);
    EXPECT_TRUE(m.owned_after_abandonment());
  }
  EXPECT_FALSE(m.owned_after_abandonment());
  // Killed again; now another process takes over through std::lock_guard and reports it, and a
  // third one after it sees a normal mutex.
  holder = mmf_test::spawn_helper({"mutex_hold", name});
  ASSERT_EQ(holder.read_line(), "locked");
  holder.kill();
  EXPECT_EQ(holder.wait(), mmf_test::child_process::killed_status);
  auto heir = mmf_test::spawn_helper({"mutex_guard", name});
  EXPECT_EQ(heir.read_line(), "taken_over taken_over cleared");
  EXPECT_EQ(heir.wait(), 0);
  auto next = mmf_test::spawn_helper({"mutex_guard", name});
  EXPECT_EQ(next.read_line(), "normal normal cleared");
  EXPECT_EQ(next.wait(), 0);
  // A process that exits owning it (no kill) abandons it too.
  holder = mmf_test::spawn_helper({"mutex_hold", name});
  ASSERT_EQ(holder.read_line(), "locked");
  ASSERT_TRUE(holder.write_line("exit"));
  EXPECT_EQ(holder.wait(), 0);
  ASSERT_TRUE(m.try_lock_for(5s));
  EXPECT_TRUE(m.owned_after_abandonment());
  m.unlock();
}

TEST(NamedMutexProcesses, SigkillOfTheOwner200TimesGives200Abandoned) {
  const auto name = unique_name("mtx");
  auto m = named_mutex::create_or_open(name);
  constexpr int rounds = 200;
  int abandoned = 0;
  std::vector<double> waits_us;
  const auto t0 = clock_type::now();
  for (int i = 0; i < rounds; ++i) {
    auto holder = mmf_test::spawn_helper({"mutex_hold", name});
    ASSERT_EQ(holder.read_line(), "locked") << "round " << i;
    holder.kill();
    const auto k = clock_type::now();
    const auto status = m.acquire(10s);
    waits_us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - k).count());
    ASSERT_NE(status, lock_status::timed_out) << "round " << i << ": deadlock";
    if (status == lock_status::abandoned) ++abandoned;
    m.unlock();
  }
  const double total = std::chrono::duration<double>(clock_type::now() - t0).count();
  EXPECT_EQ(abandoned, rounds);
  std::sort(waits_us.begin(), waits_us.end());
  std::printf(
      "[ figures  ] %d SIGKILLs of the owner -> %d abandoned, 0 deadlocks, %.2f s "
      "(acquire after death: median %.0f us, p99 %.0f us)\n",
      rounds, abandoned, total, waits_us[waits_us.size() / 2],
      waits_us[waits_us.size() * 99 / 100]);
}

TEST(NamedMutexProcesses, ExclusionAcrossProcesses) {
  const auto mutex_name = unique_name("mtx");
  const auto map_name = unique_name("map");
  auto m = named_mutex::create_or_open(mutex_name);
  auto map = mmf::memory_mapped_file::create_new(map_name, 8);
  constexpr int per_child = 3000;
  std::vector<mmf_test::child_process> children;
  for (int i = 0; i < 3; ++i)
    children.push_back(
        mmf_test::spawn_helper({"mutex_counter", mutex_name, map_name, std::to_string(per_child)}));
  for (auto& c : children) {
    EXPECT_EQ(c.read_line(30s), "done");
    EXPECT_EQ(c.wait(), 0);
  }
  auto view = map.create_view_accessor(0, 8);
  EXPECT_EQ(view.read<std::uint64_t>(0), 3u * per_child);
}

}  // namespace
