// mmf — tests of <mmf/named_semaphore.hpp>: arguments, empty objects, counts, the maximum,
// created_new, timeouts, and across processes: exclusion, waiters woken, SIGKILL of a waiter.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/memory_mapped_file.hpp>
#include <mmf/named_semaphore.hpp>
#include <mmf/view_accessor.hpp>

#include "support/error_assertions.hpp"
#include "support/test_support.hpp"
#include "support/timeouts.hpp"

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using mmf::named_semaphore;
using mmf_test::unique_name;

using mmf_test::expect_timeout_honoured;

TEST(NamedSemaphore, EmptyAndMovedFromObjectsThrowBadFileDescriptor) {
  named_semaphore s;
  EXPECT_FALSE(s);
  EXPECT_TRUE(s.name().empty());
  EXPECT_MMF_ERROR(s.release(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(s.acquire(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(s.try_acquire(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(s.try_acquire_for(1ms), std::errc::bad_file_descriptor);
  auto a = named_semaphore::create_or_open(unique_name("sem"), 0, 1);
  named_semaphore b;
  b = std::move(a);
  EXPECT_TRUE(b);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move)
  EXPECT_MMF_ERROR(a.release(), std::errc::bad_file_descriptor);
}

TEST(NamedSemaphore, BadArgumentsAreInvalidArgument) {
  const auto name = unique_name("sem");
  EXPECT_MMF_ERROR(named_semaphore::create_or_open(name, 2, 1), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(named_semaphore::create_or_open(name, 0, 0), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(named_semaphore::create_or_open("", 0, 1), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(named_semaphore::create_or_open("a/b", 0, 1), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(named_semaphore::open_existing(".."), std::errc::invalid_argument);
  // Nothing was created by the rejected calls.
  EXPECT_MMF_ERROR(named_semaphore::open_existing(name), std::errc::no_such_file_or_directory);
  std::error_code ec;
  auto s = named_semaphore::create_or_open(name, 5, 4, nullptr, ec);
  EXPECT_FALSE(s);
  EXPECT_EQ(ec, std::errc::invalid_argument);
  s = named_semaphore::create_or_open(name, 1, 4);
  const std::string what = MMF_ERROR_WHAT(s.release(0), std::errc::invalid_argument);
  EXPECT_NE(what.find("release"), std::string::npos) << what;
  EXPECT_NE(what.find(name), std::string::npos) << what;
}

TEST(NamedSemaphore, CountsAndTheMaximum) {
  const auto name = unique_name("sem");
  auto s = named_semaphore::create_or_open(name, 2, 5);
  EXPECT_TRUE(s.try_acquire());
  EXPECT_TRUE(s.try_acquire());
  EXPECT_FALSE(s.try_acquire());
  EXPECT_EQ(s.release(), 0u);
  EXPECT_EQ(s.release(3), 1u);
  const std::string what = MMF_ERROR_WHAT(s.release(2), std::errc::value_too_large);
  EXPECT_NE(what.find(name), std::string::npos) << what;
  EXPECT_MMF_ERROR(s.release(0xffffffffu), std::errc::value_too_large);
  EXPECT_EQ(s.release(1), 4u) << "a rejected release leaves the count unchanged";
  EXPECT_MMF_ERROR(s.release(1), std::errc::value_too_large);
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(s.try_acquire()) << i;
  EXPECT_FALSE(s.try_acquire());
  s.release();
  s.acquire();
  EXPECT_FALSE(s.try_acquire_for(0ms));
}

// Windows counts in a LONG, so its largest maximum is 2^31 - 1; POSIX takes the full 32 bits.
#ifdef _WIN32
constexpr std::uint32_t kLargestMaximum = 0x7fffffffu;
#else
constexpr std::uint32_t kLargestMaximum = 0xffffffffu;
#endif

TEST(NamedSemaphore, LargestMaximum) {
  auto s =
      named_semaphore::create_or_open(unique_name("sem"), kLargestMaximum - 1, kLargestMaximum);
  EXPECT_EQ(s.release(), kLargestMaximum - 1);
  EXPECT_MMF_ERROR(s.release(), std::errc::value_too_large);
}

#ifdef _WIN32
TEST(NamedSemaphore, MaximumAboveLongMaxIsInvalidArgumentOnWindows) {
  EXPECT_MMF_ERROR(named_semaphore::create_or_open(unique_name("sem"), 0, kLargestMaximum + 1u),
                   std::errc::invalid_argument);
}
#endif

TEST(NamedSemaphore, CreatedNewAndCountsBelongToTheCreator) {
  const auto name = unique_name("sem");
  bool created = false;
  auto a = named_semaphore::create_or_open(name, 1, 1, &created);
  EXPECT_TRUE(created);
  EXPECT_EQ(a.name(), name);
  auto b = named_semaphore::create_or_open(name, 7, 9, &created);
  EXPECT_FALSE(created);
  EXPECT_MMF_ERROR(b.release(), std::errc::value_too_large) << "the creator's maximum is kept";
  EXPECT_TRUE(b.try_acquire());
  EXPECT_FALSE(a.try_acquire());
  auto c = named_semaphore::open_existing(name);
  EXPECT_EQ(c.release(), 0u);
}

TEST(NamedSemaphore, TimeoutsAreHonoured) {
  auto s = named_semaphore::create_or_open(unique_name("sem"), 0, 1);
  expect_timeout_honoured(100ms, [&](auto d) { return s.try_acquire_for(d); });
  expect_timeout_honoured(5ms, [&](auto d) { return s.try_acquire_for(d); });
}

TEST(NamedSemaphore, ReleaseWakesAsManyWaiters) {
  auto s = named_semaphore::create_or_open(unique_name("sem"), 0, 100);
  std::atomic<int> got{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < 6; ++i)
    pool.emplace_back([&] {
      if (s.try_acquire_for(10s)) ++got;
    });
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(s.release(4), 0u);
  ASSERT_TRUE(mmf_test::wait_until([&] { return got.load() == 4; }, 5000ms));
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(got.load(), 4);
  s.release(2);
  for (auto& t : pool)
    t.join();
  EXPECT_EQ(got.load(), 6);
  EXPECT_FALSE(s.try_acquire());
}

// ---- Across processes
// ----------------------------------------------------------------------------

TEST(NamedSemaphoreProcesses, ExclusionAcrossProcesses) {
  const auto sem_name = unique_name("sem");
  const auto map_name = unique_name("map");
  auto s = named_semaphore::create_or_open(sem_name, 1, 1);
  auto map = mmf::memory_mapped_file::create_new(map_name, 8);
  constexpr int per_child = 3000;
  std::vector<mmf_test::child_process> kids;
  for (int i = 0; i < 3; ++i)
    kids.push_back(
        mmf_test::spawn_helper({"sem_counter", sem_name, map_name, std::to_string(per_child)}));
  for (auto& k : kids) {
    EXPECT_EQ(k.read_line(30s), "done");
    EXPECT_EQ(k.wait(), 0);
  }
  EXPECT_EQ(map.create_view_accessor(0, 8).read<std::uint64_t>(0), 3u * per_child);
  EXPECT_TRUE(s.try_acquire());
}

TEST(NamedSemaphoreProcesses, SigkillOfAWaiterDoesNotDisturbTheOthers) {
  const auto name = unique_name("sem");
  auto s = named_semaphore::create_or_open(name, 0, 10);
  std::vector<mmf_test::child_process> kids;
  for (int i = 0; i < 3; ++i) {
    kids.push_back(mmf_test::spawn_helper({"sem_wait", name, "20000"}));
    ASSERT_EQ(kids.back().read_line(), "waiting");
  }
  std::this_thread::sleep_for(50ms);
  kids[0].kill();
  EXPECT_EQ(kids[0].wait(), mmf_test::child_process::killed_status);
  EXPECT_EQ(s.release(2), 0u);
  for (int i : {1, 2}) {
    EXPECT_EQ(kids[i].read_line(), "acquired") << i;
    EXPECT_EQ(kids[i].wait(), 0);
  }
  EXPECT_FALSE(s.try_acquire()) << "the dead waiter took nothing";
  auto t = mmf_test::spawn_helper({"sem_wait", name, "50"});
  EXPECT_EQ(t.read_line(), "waiting");
  EXPECT_EQ(t.read_line(), "timed_out");
  EXPECT_EQ(t.wait(), 0);
}

}  // namespace
