// mmf — the POSIX waiting primitives (see wait.hpp for the contract).
#include "wait.hpp"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <limits>

namespace mmf::detail::posix {

namespace {

long futex_call(const void* addr, int op, std::uint32_t value, const timespec* ts,
                std::uint32_t value3) noexcept {
#if defined(__NR_futex_time64)
  // 32-bit builds with a 64-bit time_t need the time64 system call.
  if constexpr (sizeof(ts->tv_sec) > sizeof(long))
    return syscall(__NR_futex_time64, addr, op, value, ts, nullptr, value3);
#endif
  return syscall(SYS_futex, addr, op, value, ts, nullptr, value3);
}

void on_fork_child() noexcept {
  cached_thread_id = 0;
}

}  // namespace

int futex_wait(const void* addr, std::uint32_t expected, const timespec* deadline) noexcept {
  if (futex_call(addr, FUTEX_WAIT_BITSET, expected, deadline, FUTEX_BITSET_MATCH_ANY) == 0)
    return 0;
  return errno;
}

void futex_wake(const void* addr, int count) noexcept {
  futex_call(addr, FUTEX_WAKE, static_cast<std::uint32_t>(count), nullptr, 0);
}

deadline make_deadline(std::chrono::nanoseconds timeout) noexcept {
  deadline d;
  if (timeout == std::chrono::nanoseconds::max()) return d;
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  constexpr long long billion = 1000000000LL;
  const long long ns = timeout.count();
  const long long secs = ns / billion;
  long long nsec = static_cast<long long>(now.tv_nsec) + ns % billion;
  long long sec = static_cast<long long>(now.tv_sec);
  if (nsec >= billion) {
    nsec -= billion;
    ++sec;
  }
  using sec_t = decltype(now.tv_sec);
  constexpr long long sec_max = static_cast<long long>(std::numeric_limits<sec_t>::max());
  if (secs > sec_max - sec) return d;  // beyond what a timespec holds: wait forever
  d.infinite = false;
  d.at.tv_sec = static_cast<sec_t>(sec + secs);
  d.at.tv_nsec = static_cast<long>(nsec);
  return d;
}

bool spinning_pays() noexcept {
  static const bool multi = [] {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set) > 1;
    return sysconf(_SC_NPROCESSORS_ONLN) > 1;
  }();
  return multi;
}

std::uint32_t current_cpu_tag() noexcept {
  const int cpu = sched_getcpu();
  return cpu < 0 ? 0u : static_cast<std::uint32_t>(cpu) + 1u;
}

void note_signaller(std::atomic<std::uint32_t>& signaller_cpu) noexcept {
  const std::uint32_t cpu = current_cpu_tag();
  if (signaller_cpu.load(std::memory_order_relaxed) != cpu)
    signaller_cpu.store(cpu, std::memory_order_relaxed);
}

std::int64_t monotonic_ns() noexcept {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

constinit thread_local pid_t cached_thread_id = 0;

pid_t fill_thread_id() noexcept {
  static const int registered = pthread_atfork(nullptr, nullptr, on_fork_child);
  (void)registered;
  cached_thread_id = static_cast<pid_t>(gettid());
  return cached_thread_id;
}

}  // namespace mmf::detail::posix
