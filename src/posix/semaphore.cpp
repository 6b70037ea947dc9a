// mmf — the POSIX named_semaphore, in a named shared object (layout: shared_semaphore in
// sync_object.hpp): the count is the futex word, with the maximum and a waiter count beside it.
// Waiting uses the primitives of wait.hpp (adaptive spin, then a futex sleep to an absolute
// CLOCK_MONOTONIC deadline). What a release() makes visible: every write the releaser made before
// release() is seen by the acquirer that takes that count (release/acquire on the count).
#include <climits>

#include "sync_object.hpp"

namespace mmf::detail::platform {

void sync_deleter::operator()(semaphore_object* s) const noexcept {
  if (s == nullptr) return;
  if (s->shared != nullptr) munmap(s->shared, sizeof(shared_semaphore));
  delete s;
}

std::error_code semaphore_open(disposition how, const object_name& name,
                               std::uint32_t initial_count, std::uint32_t maximum_count,
                               semaphore_ptr& out, bool& created) noexcept {
  semaphore_ptr result(new (std::nothrow) semaphore_object);
  if (!result) return make_errc(std::errc::not_enough_memory);
  auto fill = [&](shared_semaphore& s) -> std::error_code {
    s.count.store(initial_count, std::memory_order_relaxed);
    s.maximum = maximum_count;
    return {};
  };
  auto undo = [](shared_semaphore&) {};
  bool was_created = false;
  shared_semaphore* shared = nullptr;
  if (auto ec = open_sync<shared_semaphore>(how, name, posix::kind::semaphore, fill, undo,
                                            result->hold, shared, was_created))
    return ec;
  if (shared->maximum == 0 || shared->count.load(std::memory_order_relaxed) > shared->maximum) {
    munmap(shared, sizeof(shared_semaphore));
    return make_errc(std::errc::invalid_argument);
  }
  result->shared = shared;
  out = std::move(result);
  created = was_created;
  return {};
}

std::error_code semaphore_release(semaphore_object& so, std::uint32_t count,
                                  std::uint32_t& previous) noexcept {
  shared_semaphore& s = *so.shared;
  note_signaller(s.signaller_cpu);
  std::uint32_t c = s.count.load(std::memory_order_relaxed);
  for (;;) {
    if (count > s.maximum || c > s.maximum - count) return make_errc(std::errc::value_too_large);
    if (s.count.compare_exchange_weak(c, c + count, std::memory_order_seq_cst,
                                      std::memory_order_relaxed))
      break;
  }
  previous = c;
  if (s.waiters.load(std::memory_order_seq_cst) != 0)
    futex_wake(&s.count,
               count > static_cast<std::uint32_t>(INT_MAX) ? INT_MAX : static_cast<int>(count));
  return {};
}

namespace {

bool try_take(shared_semaphore& s) noexcept {
  std::uint32_t c = s.count.load(std::memory_order_relaxed);
  while (c > 0) {
    if (s.count.compare_exchange_weak(c, c - 1, std::memory_order_acquire,
                                      std::memory_order_relaxed))
      return true;
  }
  return false;
}

}  // namespace

std::error_code semaphore_acquire(semaphore_object& so, std::chrono::nanoseconds timeout,
                                  bool& acquired) noexcept {
  shared_semaphore& s = *so.shared;
  if (try_take(s)) {
    acquired = true;
    return {};
  }
  if (timeout == std::chrono::nanoseconds::zero()) {
    acquired = false;
    return {};
  }
  spinner spin(so.spin);
  if (spin.spin(s.signaller_cpu,
                [&] { return s.count.load(std::memory_order_relaxed) > 0 && try_take(s); })) {
    acquired = true;
    return {};
  }
  const deadline d = make_deadline(timeout);
  s.waiters.fetch_add(1, std::memory_order_seq_cst);
  std::error_code result;
  bool got = false;
  for (;;) {
    if (try_take(s)) {
      got = true;
      break;
    }
    const int rc = futex_wait(&s.count, 0, d.get());
    if (rc == ETIMEDOUT) {
      got = try_take(s);  // a release that raced with the timeout is not wasted
      break;
    }
    if (rc != 0 && rc != EAGAIN && rc != EINTR) {
      result = sys_error(rc);
      break;
    }
  }
  s.waiters.fetch_sub(1, std::memory_order_relaxed);
  if (result) return result;
  spin.slept(got);
  acquired = got;
  return {};
}

}  // namespace mmf::detail::platform
