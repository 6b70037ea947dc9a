// mmf — the POSIX named_event, in a named shared object (layout: shared_event in sync_object.hpp),
// waiting with the primitives of wait.hpp.
//
// One 64-bit word; its low half is the futex word (state), its high half counts the
// registered waiters. Waiters sleep with shared (not _PRIVATE) FUTEX_WAIT_BITSET on the low
// half with the value they saw, so a change between the check and the sleep is never lost.
//   manual:    low = generation << 1 | set bit. set() bumps the generation, so a waiter whose
//              generation changed returns even if reset() came before it ran.
//   automatic: low = pending signals. set() adds one only while signals <= waiters (one per
//              registered waiter plus one pending), and wakes one sleeper.
// Known limit: a waiter killed (SIGKILL) while registered stays counted. Nobody else is
// disturbed (no wake-up is lost, the others are woken as before), but on an automatic event each
// such dead registration lets one more set() stay pending while nobody waits.
//
// What a set() makes visible: every write the setter made before set() is seen by a waiter that
// returns signalled from that set() (the state word is changed with seq_cst operations).
#include "sync_object.hpp"

namespace mmf::detail::platform {

void sync_deleter::operator()(event_object* e) const noexcept {
  if (e == nullptr) return;
  if (e->shared != nullptr) munmap(e->shared, sizeof(shared_event));
  delete e;
}

namespace {

constexpr std::uint64_t waiter_unit = std::uint64_t{1} << 32;
constexpr std::uint32_t event_manual = 0;
constexpr std::uint32_t event_automatic = 1;

constexpr std::uint32_t low(std::uint64_t v) noexcept {
  return static_cast<std::uint32_t>(v);
}
constexpr std::uint32_t high(std::uint64_t v) noexcept {
  return static_cast<std::uint32_t>(v >> 32);
}

// Manual: returns true when set, or when `generation` (the one seen when the wait began) moved.
bool manual_released(std::uint32_t state, std::uint32_t generation) noexcept {
  return (state & 1u) != 0 || (state >> 1) != generation;
}

}  // namespace

std::error_code event_open(disposition how, const object_name& name, event_reset mode,
                           bool initially_set, event_ptr& out, bool& created) noexcept {
  event_ptr result(new (std::nothrow) event_object);
  if (!result) return make_errc(std::errc::not_enough_memory);
  auto fill = [&](shared_event& e) -> std::error_code {
    e.mode = mode == event_reset::automatic ? event_automatic : event_manual;
    e.word.store(initially_set ? 1u : 0u, std::memory_order_relaxed);
    return {};
  };
  auto undo = [](shared_event&) {};
  bool was_created = false;
  shared_event* shared = nullptr;
  if (auto ec = open_sync<shared_event>(how, name, posix::kind::event, fill, undo, result->hold,
                                        shared, was_created))
    return ec;
  if (shared->mode != event_manual && shared->mode != event_automatic) {
    munmap(shared, sizeof(shared_event));
    return make_errc(std::errc::invalid_argument);
  }
  result->shared = shared;
  out = std::move(result);
  created = was_created;
  return {};
}

std::error_code event_set(event_object& e) noexcept {
  shared_event& s = *e.shared;
  note_signaller(s.signaller_cpu);
  std::uint64_t v = s.word.load(std::memory_order_relaxed);
  if (s.mode == event_manual) {
    for (;;) {
      if ((low(v) & 1u) != 0) return {};  // already set
      // Set, and start a new generation (bits 1..31, wrapping).
      const std::uint32_t next = ((low(v) >> 1) + 1) << 1 | 1u;
      const std::uint64_t nv = (v & ~std::uint64_t{0xffffffffu}) | next;
      if (s.word.compare_exchange_weak(v, nv, std::memory_order_seq_cst,
                                       std::memory_order_relaxed)) {
        if (high(nv) != 0) futex_wake(low_half(s.word), INT_MAX);
        return {};
      }
    }
  }
  for (;;) {
    const std::uint32_t signals = low(v);
    const std::uint32_t waiters = high(v);
    if (signals > waiters) return {};  // every waiter has its signal and one is pending
    if (s.word.compare_exchange_weak(v, v + 1, std::memory_order_seq_cst,
                                     std::memory_order_relaxed)) {
      if (waiters > signals) futex_wake(low_half(s.word), 1);
      return {};
    }
  }
}

std::error_code event_clear(event_object& e) noexcept {
  shared_event& s = *e.shared;
  std::uint64_t v = s.word.load(std::memory_order_relaxed);
  for (;;) {
    std::uint64_t nv = v;
    if (s.mode == event_manual) {
      if ((low(v) & 1u) == 0) return {};
      nv = v & ~std::uint64_t{1};
    } else {
      // Withdraw the pending signal, not those already promised to registered waiters.
      const std::uint32_t signals = low(v);
      const std::uint32_t waiters = high(v);
      if (signals <= waiters) return {};
      nv = v - 1;
    }
    if (s.word.compare_exchange_weak(v, nv, std::memory_order_seq_cst, std::memory_order_relaxed))
      return {};
  }
}

namespace {

bool try_take_signal(shared_event& s, std::uint64_t& v, bool registered) noexcept {
  while (low(v) > 0) {
    const std::uint64_t nv = v - 1 - (registered ? waiter_unit : 0);
    if (s.word.compare_exchange_weak(v, nv, std::memory_order_acquire, std::memory_order_relaxed))
      return true;
  }
  return false;
}

// What a wait does before it sleeps, once its first look found no signal: a zero timeout ends it,
// not signaled; else `spin` polls with `check` (true: signaled, and the signal is taken). True
// when the wait is over, with `signaled` set; false when it must go on to sleep.
template <class Check>
bool ended_before_sleeping(const shared_event& s, std::chrono::nanoseconds timeout, spinner& spin,
                           Check check, bool& signaled) {
  if (timeout == std::chrono::nanoseconds::zero()) {
    signaled = false;
    return true;
  }
  if (spin.spin(s.signaller_cpu, check)) {
    signaled = true;
    return true;
  }
  return false;
}

// Registers the waiter (adds waiter_unit to the word, whose value the caller last saw in `v`),
// unless `over` finds first, from `v` as it is then, that the wait is over (and takes the signal
// where the wait takes one): then ends the spin's accounting and sets `signaled`. True when
// registered.
template <class Over>
bool register_unless_over(shared_event& s, std::uint64_t& v, spinner& spin, Over over,
                          bool& signaled) {
  for (;;) {
    if (over()) {
      spin.slept(true);
      signaled = true;
      return false;
    }
    if (s.word.compare_exchange_weak(v, v + waiter_unit, std::memory_order_seq_cst,
                                     std::memory_order_relaxed))
      return true;
  }
}

std::error_code wait_manual(event_object& e, std::chrono::nanoseconds timeout, bool& signaled) {
  shared_event& s = *e.shared;
  std::uint64_t v = s.word.load(std::memory_order_acquire);
  if ((low(v) & 1u) != 0) {
    signaled = true;
    return {};
  }
  const std::uint32_t generation = low(v) >> 1;
  spinner spin(e.spin);
  const auto seen_released = [&] {
    v = s.word.load(std::memory_order_acquire);
    return manual_released(low(v), generation);
  };
  if (ended_before_sleeping(s, timeout, spin, seen_released, signaled)) return {};
  const deadline d = make_deadline(timeout);
  // Register as a waiter (so set() knows to wake), but only while the state is what we saw.
  const auto released_now = [&] { return manual_released(low(v), generation); };
  if (!register_unless_over(s, v, spin, released_now, signaled)) return {};
  std::uint32_t expected = low(v);
  bool released = false;
  for (;;) {
    const int rc = futex_wait(low_half(s.word), expected, d.get());
    v = s.word.load(std::memory_order_acquire);
    if (manual_released(low(v), generation)) {
      released = true;
      break;
    }
    if (rc == ETIMEDOUT) break;
    if (rc != 0 && rc != EAGAIN && rc != EINTR) {
      s.word.fetch_sub(waiter_unit, std::memory_order_relaxed);
      return sys_error(rc);
    }
    expected = low(v);
  }
  s.word.fetch_sub(waiter_unit, std::memory_order_relaxed);
  spin.slept(released);
  signaled = released;
  return {};
}

std::error_code wait_automatic(event_object& e, std::chrono::nanoseconds timeout, bool& signaled) {
  shared_event& s = *e.shared;
  std::uint64_t v = s.word.load(std::memory_order_relaxed);
  if (try_take_signal(s, v, false)) {
    signaled = true;
    return {};
  }
  spinner spin(e.spin);
  const auto taken = [&] {
    v = s.word.load(std::memory_order_relaxed);
    return low(v) > 0 && try_take_signal(s, v, false);
  };
  if (ended_before_sleeping(s, timeout, spin, taken, signaled)) return {};
  const deadline d = make_deadline(timeout);
  // Register while there is still no signal (low(v) == 0 when the exchange is tried).
  const auto taken_now = [&] { return try_take_signal(s, v, false); };
  if (!register_unless_over(s, v, spin, taken_now, signaled)) return {};
  for (;;) {
    const int rc = futex_wait(low_half(s.word), 0, d.get());
    v = s.word.load(std::memory_order_relaxed);
    if (try_take_signal(s, v, true)) {
      spin.slept(true);
      signaled = true;
      return {};
    }
    if (rc == ETIMEDOUT) break;
    if (rc != 0 && rc != EAGAIN && rc != EINTR) {
      s.word.fetch_sub(waiter_unit, std::memory_order_relaxed);
      return sys_error(rc);
    }
  }
  // Timed out: leave, unless a signal arrived for us meanwhile (then take it: none is lost).
  v = s.word.load(std::memory_order_relaxed);
  for (;;) {
    if (low(v) > 0) {
      if (s.word.compare_exchange_weak(v, v - 1 - waiter_unit, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
        spin.slept(true);
        signaled = true;
        return {};
      }
      continue;
    }
    if (s.word.compare_exchange_weak(v, v - waiter_unit, std::memory_order_relaxed,
                                     std::memory_order_relaxed)) {
      spin.slept(false);
      signaled = false;
      return {};
    }
  }
}

}  // namespace

std::error_code event_wait(event_object& e, std::chrono::nanoseconds timeout,
                           bool& signaled) noexcept {
  if (e.shared->mode == event_manual) return wait_manual(e, timeout, signaled);
  return wait_automatic(e, timeout, signaled);
}

}  // namespace mmf::detail::platform
