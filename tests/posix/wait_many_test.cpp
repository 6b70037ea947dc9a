// mmf — wait_any / wait_all on Linux: futex_waitv is used where the kernel has it, and the
// fallback for kernels without it (futex_waitv injected to fail with ENOSYS through the syscall
// table) still wakes on every kind of signal and honours timeouts.
#include <atomic>
#include <cerrno>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/mmf.hpp>

#include "../../src/posix/syscalls.hpp"
#include "support/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using mmf::event_reset;
using mmf::named_event;
using mmf::named_mutex;
using mmf::named_semaphore;
using mmf::waitable;
namespace posix = mmf::detail::posix;

std::atomic<int> waitv_calls{0};
long (*real_waitv)(void*, unsigned, unsigned, const void*, int) = nullptr;

long counting_waitv(void* w, unsigned n, unsigned f, const void* t, int c) {
  waitv_calls.fetch_add(1);
  return real_waitv(w, n, f, t, c);
}
long missing_waitv(void*, unsigned, unsigned, const void*, int) {
  waitv_calls.fetch_add(1);
  errno = ENOSYS;
  return -1;
}

struct table_guard {
  posix::syscall_table saved = posix::sys();
  ~table_guard() { posix::sys() = saved; }
};

// Every kind of wake-up, each from another thread after a while.
void wakes_and_times_out() {
  auto a = named_event::create_or_open(mmf_test::unique_name("wm_a"), event_reset::automatic);
  auto m = named_event::create_or_open(mmf_test::unique_name("wm_m"), event_reset::manual);
  auto s = named_semaphore::create_or_open(mmf_test::unique_name("wm_s"), 0, 2);
  const std::string mn = mmf_test::unique_name("wm_x");
  auto x = named_mutex::create_or_open(mn);
  std::vector<waitable> events{&a, &m, &s};
  EXPECT_EQ(mmf::wait_any(events, 30ms), std::nullopt);
  std::thread t1 = mmf_test::run_after(20ms, [&] { s.release(); });
  EXPECT_EQ(mmf::wait_any(events, 10s), 2u);
  t1.join();
  std::thread t2 = mmf_test::run_after(20ms, [&] { m.set(); });
  EXPECT_EQ(mmf::wait_any(events, 10s), 1u);
  t2.join();
  m.reset();
  std::vector<waitable> all{&a, &s, &x};
  std::thread t3([&] {
    std::this_thread::sleep_for(10ms);
    s.release();
    std::this_thread::sleep_for(10ms);
    a.set();
  });
  EXPECT_TRUE(mmf::wait_all(all, 10s));
  t3.join();
  x.unlock();
  EXPECT_FALSE(mmf::wait_all(all, 20ms));
}

TEST(WaitMany, UsesFutexWaitvWhereTheKernelHasIt) {
  table_guard guard;
  real_waitv = posix::sys().futex_waitv;
  posix::sys().futex_waitv = counting_waitv;
  // Ask the kernel directly first: ENOSYS means there is nothing to check here.
  errno = 0;
  if (real_waitv(nullptr, 0, 0, nullptr, 1) < 0 && errno == ENOSYS)
    GTEST_SKIP() << "this kernel has no futex_waitv (Linux 5.16+)";
  waitv_calls = 0;
  wakes_and_times_out();
  EXPECT_GT(waitv_calls.load(), 0);
}

TEST(WaitMany, FallbackWithoutFutexWaitvStillWakesAndTimesOut) {
  table_guard guard;
  posix::sys().futex_waitv = missing_waitv;
  waitv_calls = 0;
  wakes_and_times_out();
  EXPECT_EQ(waitv_calls.load(), 1);  // asked once, then never again
}

}  // namespace
