// mmf — wait_any / wait_all on POSIX (platform::wait_many), built on the waiting primitives of
// wait.hpp and the shared layouts of sync_object.hpp.
//
// Contract and design:
// - Each round tries the objects with the single waits' zero-timeout paths (mutex_acquire,
//   event_wait, semaphore_acquire with timeout 0): wait_any takes the first one it gets, in index
//   order; wait_all takes them in order and, when one is missing, gives back what it took (a
//   mutex taken over from a dead owner is given back abandoned, so its abandonment is not lost; a
//   semaphore count is released, an automatic event set again) and nothing stays taken.
// - Between rounds the waiter sleeps. So that set() and release() wake it, it registers on every
//   event and semaphore the way their own waiters do (event: the waiter count in the high half of
//   the word; semaphore: `waiters`), reads their futex words, tries, and only then sleeps on those
//   words with futex_waitv: a change after the read makes the sleep return at once, so no signal
//   is lost. Leaving, it passes on a wake-up it may have taken from another waiter (an automatic
//   event with a signal, a semaphore with a count: one more futex_wake) and keeps an automatic
//   event's invariant (at most one pending signal more than its registered waiters).
// - A mutex is pthread's; its lock word wakes only pthread's waiters. With a mutex in the set the
//   sleep is cut into slices of 50 us growing to 2 ms. Without futex_waitv (ENOSYS: a kernel
//   before 5.16, or a seccomp filter) the waiter sleeps on one word in such slices.
// - Deadlines are absolute CLOCK_MONOTONIC times, as everywhere in this back end.
#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <climits>

#include "posix/syscalls.hpp"
#include "sync_object.hpp"

namespace mmf::detail::platform {

namespace {

constexpr std::uint64_t waiter_unit = std::uint64_t{1} << 32;  // as event.cpp
constexpr std::uint32_t event_automatic = 1;
constexpr std::size_t max_targets = 64;

struct waitv_entry {  // struct futex_waitv
  std::uint64_t val;
  std::uint64_t uaddr;
  std::uint32_t flags;
  std::uint32_t reserved;
};
struct kernel_timespec {  // struct __kernel_timespec: 64-bit fields on every architecture
  std::int64_t tv_sec;
  std::int64_t tv_nsec;
};
constexpr std::uint32_t futex2_size_u32 = 0x02;  // FUTEX2_SIZE_U32, shared (no FUTEX2_PRIVATE)

std::atomic<bool> waitv_missing{false};  // futex_waitv said ENOSYS once: don't ask again

bool is_automatic(const event_object& e) noexcept {
  return e.shared->mode == event_automatic;
}

// ---- Taking and giving back ---------------------------------------------------------------------

enum class took : std::uint8_t { no, yes, abandoned_mutex };

std::error_code try_take(const wait_target& t, took& result) noexcept {
  result = took::no;
  if (t.mutex != nullptr) {
    lock_status status = lock_status::timed_out;
    if (auto ec = mutex_acquire(*t.mutex, std::chrono::nanoseconds::zero(), status)) return ec;
    if (status == lock_status::acquired) result = took::yes;
    if (status == lock_status::abandoned) result = took::abandoned_mutex;
    return {};
  }
  bool got = false;
  if (t.event != nullptr) {
    if (auto ec = event_wait(*t.event, std::chrono::nanoseconds::zero(), got)) return ec;
  } else if (auto ec = semaphore_acquire(*t.semaphore, std::chrono::nanoseconds::zero(), got)) {
    return ec;
  }
  result = got ? took::yes : took::no;
  return {};
}

void give_back(const wait_target& t, took how) noexcept {
  if (t.mutex != nullptr) {
    // Taken over from a dead owner: give it back abandoned, for the next acquirer to learn it.
    if (how == took::abandoned_mutex)
      mutex_abandon_if_owned(*t.mutex);
    else
      mutex_release(*t.mutex);
  } else if (t.event != nullptr) {
    if (is_automatic(*t.event)) event_set(*t.event);  // a manual event was only observed
  } else {
    std::uint32_t previous = 0;
    semaphore_release(*t.semaphore, 1, previous);  // value_too_large: others filled it meanwhile
  }
}

// One round: true when wait_any took targets[index] or wait_all took them all.
std::error_code attempt(const wait_target* targets, std::size_t count, bool all, std::size_t& index,
                        bool& abandoned, bool& done) noexcept {
  done = false;
  if (!all) {
    for (std::size_t i = 0; i < count; ++i) {
      took t = took::no;
      if (auto ec = try_take(targets[i], t)) return ec;
      if (t != took::no) {
        index = i;
        abandoned = t == took::abandoned_mutex;
        done = true;
        return {};
      }
    }
    return {};
  }
  std::array<took, max_targets> taken{};
  std::size_t n = 0;
  std::error_code ec;
  for (; n < count; ++n) {
    if ((ec = try_take(targets[n], taken[n]))) break;
    if (taken[n] == took::no) break;
  }
  if (!ec && n == count) {
    done = true;
    return {};
  }
  while (n-- > 0)
    give_back(targets[n], taken[n]);
  return ec;
}

// ---- Registering as a waiter --------------------------------------------------------------------

void enlist(const wait_target& t) noexcept {
  if (t.event != nullptr)
    t.event->shared->word.fetch_add(waiter_unit, std::memory_order_seq_cst);
  else if (t.semaphore != nullptr)
    t.semaphore->shared->waiters.fetch_add(1, std::memory_order_seq_cst);
}

void leave(const wait_target& t) noexcept {
  if (t.event != nullptr) {
    shared_event& s = *t.event->shared;
    if (!is_automatic(*t.event)) {
      s.word.fetch_sub(waiter_unit, std::memory_order_seq_cst);
      return;
    }
    std::uint64_t v = s.word.load(std::memory_order_relaxed);
    std::uint64_t nv = 0;
    do {
      nv = v - waiter_unit;
      const auto waiters = static_cast<std::uint32_t>(nv >> 32);
      // A signal set() added for us stays pending, but never more than one beyond the waiters.
      if (static_cast<std::uint32_t>(nv) > waiters + 1)
        nv = (nv & ~std::uint64_t{0xffffffffu}) | (waiters + 1);
    } while (
        !s.word.compare_exchange_weak(v, nv, std::memory_order_seq_cst, std::memory_order_relaxed));
    // set() woke one sleeper, maybe us: if a signal is left and others wait, wake one of them.
    if (static_cast<std::uint32_t>(nv) != 0 && (nv >> 32) != 0) futex_wake(low_half(s.word), 1);
  } else if (t.semaphore != nullptr) {
    shared_semaphore& s = *t.semaphore->shared;
    const std::uint32_t others = s.waiters.fetch_sub(1, std::memory_order_seq_cst) - 1;
    if (others != 0 && s.count.load(std::memory_order_seq_cst) != 0) futex_wake(&s.count, 1);
  }
}

const void* word_of(const wait_target& t) noexcept {
  if (t.event != nullptr) return low_half(t.event->shared->word);
  if (t.semaphore != nullptr) return &t.semaphore->shared->count;
  return nullptr;
}

std::uint32_t value_of(const void* word) noexcept {
  return static_cast<const std::atomic<std::uint32_t>*>(word)->load(std::memory_order_seq_cst);
}

// ---- Sleeping -----------------------------------------------------------------------------------

timespec add_ns(timespec t, std::int64_t ns) noexcept {
  t.tv_sec += static_cast<time_t>(ns / 1000000000);
  t.tv_nsec += static_cast<long>(ns % 1000000000);
  if (t.tv_nsec >= 1000000000) {
    t.tv_nsec -= 1000000000;
    ++t.tv_sec;
  }
  return t;
}

bool before(const timespec& a, const timespec& b) noexcept {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

bool passed(const deadline& d) noexcept {
  if (d.infinite) return false;
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return !before(now, d.at);
}

// Sleeps until one of words[i] differs from values[i] and is woken, or until `until` (nullptr:
// none). Returns 0 or an errno value other than EAGAIN, EINTR, ETIMEDOUT (which are all "go on").
int sleep_on(const void* const* words, const std::uint32_t* values, std::size_t n,
             const timespec* until) noexcept {
  if (n != 0 && !waitv_missing.load(std::memory_order_relaxed)) {
    std::array<waitv_entry, max_targets> w{};
    for (std::size_t i = 0; i < n; ++i)
      w[i] = {values[i], reinterpret_cast<std::uintptr_t>(words[i]), futex2_size_u32, 0};
    kernel_timespec ts{};
    if (until != nullptr) ts = {until->tv_sec, until->tv_nsec};
    if (posix::sys().futex_waitv(w.data(), static_cast<unsigned>(n), 0,
                                 until != nullptr ? &ts : nullptr, CLOCK_MONOTONIC) >= 0)
      return 0;
    const int e = errno;
    if (e != ENOSYS) return e == EAGAIN || e == EINTR || e == ETIMEDOUT ? 0 : e;
    waitv_missing.store(true, std::memory_order_relaxed);
    return ENOSYS;  // the caller slices its sleeps from now on
  }
  if (n != 0) {
    const int rc = futex_wait(words[0], values[0], until);
    return rc == EAGAIN || rc == EINTR || rc == ETIMEDOUT ? 0 : rc;
  }
  if (until == nullptr) return 0;  // cannot happen: without a word the sleep is sliced
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, until, nullptr) == EINTR) {
  }
  return 0;
}

}  // namespace

std::error_code wait_many(const wait_target* targets, std::size_t count, bool all,
                          std::chrono::nanoseconds timeout, std::size_t& index, bool& abandoned,
                          bool& timed_out) noexcept {
  bool done = false;
  std::size_t got = 0;
  bool was_abandoned = false;
  if (auto ec = attempt(targets, count, all, got, was_abandoned, done)) return ec;
  if (!done && timeout <= std::chrono::nanoseconds::zero()) {
    timed_out = true;
    return {};
  }
  const deadline d = make_deadline(timeout);
  bool has_mutex = false;
  std::array<const void*, max_targets> words{};
  std::array<std::uint32_t, max_targets> values{};
  std::size_t n = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (targets[i].mutex != nullptr) has_mutex = true;
    if (const void* w = word_of(targets[i])) words[n++] = w;
  }
  std::int64_t slice_ns = 50000;
  std::error_code result;
  while (!done) {
    for (std::size_t i = 0; i < count; ++i)
      enlist(targets[i]);
    for (std::size_t i = 0; i < n; ++i)
      values[i] = value_of(words[i]);
    result = attempt(targets, count, all, got, was_abandoned, done);
    if (!result && !done && !passed(d)) {
      const bool sliced = has_mutex || n == 0 || waitv_missing.load(std::memory_order_relaxed);
      timespec until = d.at;
      if (sliced) {
        timespec now{};
        clock_gettime(CLOCK_MONOTONIC, &now);
        const timespec next = add_ns(now, slice_ns);
        if (d.infinite || before(next, d.at)) until = next;
        slice_ns = std::min<std::int64_t>(slice_ns * 2, 2000000);
      }
      const int rc =
          sleep_on(words.data(), values.data(), n, sliced || !d.infinite ? &until : nullptr);
      if (rc != 0 && rc != ENOSYS) result = sys_error(rc);
    }
    for (std::size_t i = 0; i < count; ++i)
      leave(targets[i]);
    if (result) return result;
    if (!done && passed(d)) {
      // One last try: a signal that raced with the timeout is not wasted.
      if (auto ec = attempt(targets, count, all, got, was_abandoned, done)) return ec;
      if (!done) {
        timed_out = true;
        return {};
      }
    }
  }
  index = got;
  abandoned = was_abandoned;
  timed_out = false;
  return {};
}

}  // namespace mmf::detail::platform
