// mmf — the POSIX back end's waiting primitives: futex wait and wake, absolute deadlines, the
// adaptive spinner, and the calling thread's id (cached, reset in a forked child). Used by the
// event and the semaphore (src/posix/event.cpp, semaphore.cpp) and the mutex (thread ids,
// deadlines); the message queue and wait_any are to wait with the same pieces.
//
// Contract:
// - futex_wait sleeps only while the word still holds the value the caller saw, so a change
//   between the caller's check and the sleep is never lost; it may return early (EINTR, EAGAIN,
//   a spurious wake): callers loop and re-check their condition.
// - Futex words live in memory shared between processes: no FUTEX_PRIVATE_FLAG anywhere.
// - Deadlines are absolute CLOCK_MONOTONIC times (FUTEX_WAIT_BITSET without FUTEX_CLOCK_REALTIME,
//   pthread_mutex_clocklock), so a timed wait never returns early and ignores clock changes.
// - Spinning before a sleep pays only while the signaller runs on another CPU: the spinner skips
//   it when the process may use one CPU only, or when the last signaller (recorded in the shared
//   object with note_signaller) ran on the waiter's own CPU; its budget adapts per handle, within
//   [spin_min, spin_max] (see `spinner`).
// - Nothing here allocates, throws or takes a lock.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <system_error>

namespace mmf::detail::posix {

// ---- Futex --------------------------------------------------------------------------------------

// Sleeps while *addr == expected, until woken or the absolute CLOCK_MONOTONIC deadline (nullptr:
// none). Shared (not FUTEX_PRIVATE_FLAG): the word lives in memory shared between processes.
// Returns 0, or ETIMEDOUT, EAGAIN (the word differed), EINTR.
int futex_wait(const void* addr, std::uint32_t expected, const timespec* deadline) noexcept;

// Wakes up to `count` threads sleeping on `addr` (in any process).
void futex_wake(const void* addr, int count) noexcept;

// The low 32 bits of a 64-bit atomic word, as the kernel sees them.
inline const void* low_half(const std::atomic<std::uint64_t>& word) noexcept {
  const auto* p = reinterpret_cast<const std::uint32_t*>(&word);
  return std::endian::native == std::endian::little ? p : p + 1;
}

// ---- Deadlines ----------------------------------------------------------------------------------

// An absolute CLOCK_MONOTONIC deadline; `infinite` when the timeout is nanoseconds::max() or the
// sum would overflow.
struct deadline {
  bool infinite = true;
  timespec at{};
  const timespec* get() const noexcept { return infinite ? nullptr : &at; }
};

deadline make_deadline(std::chrono::nanoseconds timeout) noexcept;

std::int64_t monotonic_ns() noexcept;

// ---- The adaptive spinner -----------------------------------------------------------------------

// A short spin before sleeping: useful when the other side is running on another CPU, wasteful
// when both share one (the signaller cannot run while the waiter spins), so it is skipped there.
// The CPUs this process may run on (taskset, cpusets), not those online, decide it.
bool spinning_pays() noexcept;

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// Spin budget of a handle, in cpu_relax() iterations (one is roughly 10-40 ns).
constexpr std::uint32_t spin_initial = 100;
constexpr std::uint32_t spin_min = 16;
constexpr std::uint32_t spin_max = 256;

// The CPU the calling thread runs on, plus one; 0 when unknown. sched_getcpu() reads the rseq
// area (glibc 2.35) or calls the vDSO: no system call.
std::uint32_t current_cpu_tag() noexcept;

// Called by a signaller: remembers its CPU in the shared object, for the waiters' spin decision.
void note_signaller(std::atomic<std::uint32_t>& signaller_cpu) noexcept;

// The spin of one wait, against the handle's budget. The spin is skipped when it cannot pay: one
// usable CPU, or the last signaller ran on this CPU (it could not run while we spin). The budget
// doubles when a spin succeeds. When a spin runs out and the wait sleeps, the sleep decides: a
// signal that came soon after (within 4x the time spun: the signaller is active and a longer spin
// would have caught it, or will catch it once both sides spin again) doubles it too; a long sleep
// or a timeout (the signaller is idle or slow: spinning only burns CPU) halves it. Always within
// [spin_min, spin_max]. The clock is read when a spin starts and when it runs out; waits that find
// the signal at once, or skip the spin, never read it.
class spinner {
 public:
  explicit spinner(std::atomic<std::uint32_t>& budget) noexcept : budget_(budget) {}

  template <class Done>
  bool spin(const std::atomic<std::uint32_t>& signaller_cpu, Done done) noexcept {
    if (!spinning_pays()) return false;
    const std::uint32_t last = signaller_cpu.load(std::memory_order_relaxed);
    if (last != 0 && last == current_cpu_tag()) return false;
    limit_ = budget_.load(std::memory_order_relaxed);
    const std::int64_t start = monotonic_ns();
    for (std::uint32_t i = 0; i < limit_; ++i) {
      cpu_relax();
      if (done()) {
        grow();
        return true;
      }
    }
    gave_up_ = monotonic_ns();
    spun_ns_ = gave_up_ - start;
    return false;
  }

  // The wait that followed a spin which ran out has ended.
  void slept(bool signaled) noexcept {
    if (gave_up_ == 0) return;  // no spin, or it succeeded
    if (signaled && monotonic_ns() - gave_up_ <= 4 * spun_ns_) {
      grow();
    } else if (limit_ > spin_min) {
      budget_.store(limit_ / 2 > spin_min ? limit_ / 2 : spin_min, std::memory_order_relaxed);
    }
  }

 private:
  void grow() noexcept {
    if (limit_ < spin_max)
      budget_.store(limit_ * 2 < spin_max ? limit_ * 2 : spin_max, std::memory_order_relaxed);
  }

  std::atomic<std::uint32_t>& budget_;
  std::uint32_t limit_ = 0;
  std::int64_t gave_up_ = 0;  // when the spin ran out; 0: it did not
  std::int64_t spun_ns_ = 0;
};

// ---- Threads ------------------------------------------------------------------------------------

// The calling thread's id, cached per thread (gettid() is a system call). fork() copies the
// forking thread's cache into the child, whose only thread has another id: a pthread_atfork child
// handler (registered by fill_thread_id before the first id is cached) clears it there.
// constinit: no dynamic initialisation, so other files read it without a TLS wrapper call.
extern thread_local constinit pid_t cached_thread_id;
[[gnu::noinline]] pid_t fill_thread_id() noexcept;
inline pid_t this_thread_id() noexcept {
  const pid_t tid = cached_thread_id;
  return tid != 0 ? tid : fill_thread_id();
}

// std::error_code{} calls std::system_category(), which is out of line; the fast paths return
// this equal value instead.
inline std::error_code no_error() noexcept {
  static const std::error_category& category = std::system_category();
  return std::error_code(0, category);
}

}  // namespace mmf::detail::posix
