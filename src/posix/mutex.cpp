// mmf — the POSIX named_mutex: a robust, process-shared, recursive pthread mutex in a named shared
// object (layout: shared_mutex in sync_object.hpp). RELIABILITY.md: call pthread_mutex_consistent
// first after EOWNERDEAD; never unmap it while a thread of this process holds it. `owner`/`depth`
// track the owning thread for mutex_release and mutex_abandon_if_owned; `abandoned` carries
// "destroyed by its owner" to the next acquirer, `taken_over` that the current ownership began
// that way (owned_after_abandonment). Timed locks use absolute CLOCK_MONOTONIC deadlines
// (pthread_mutex_clocklock), so they never return early. What an unlock makes visible: every
// write the owner made before unlock() is seen by the next owner after its lock (the pthread
// mutex's acquire/release ordering), in any process.
#include <sys/syscall.h>

#include <ctime>

#include "sync_object.hpp"

namespace mmf::detail::platform {

namespace {

// True when thread `tid` is a live thread of this process.
bool thread_of_this_process(pid_t tid) noexcept {
  if (tid <= 0) return false;
  return syscall(SYS_tgkill, getpid(), tid, 0) == 0;
}

#if defined(__SANITIZE_THREAD__)
#define MMF_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MMF_UNDER_TSAN 1
#endif
#endif

// A timed lock against an absolute CLOCK_MONOTONIC deadline. pthread_mutex_clocklock (glibc 2.30)
// does it in one call. ThreadSanitizer intercepts neither it nor EOWNERDEAD from
// pthread_mutex_timedlock (it would then miss the lock), so TSan builds poll with
// pthread_mutex_trylock (which it fully intercepts) and short sleeps, giving up only once the
// monotonic deadline has passed: never early either.
int timed_lock(pthread_mutex_t* m, const timespec& at) noexcept {
#if defined(MMF_UNDER_TSAN)
  constexpr long long billion = 1000000000LL;
  for (;;) {
    const int rc = pthread_mutex_trylock(m);
    if (rc != EBUSY) return rc;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long long left =
        (static_cast<long long>(at.tv_sec) - now.tv_sec) * billion + (at.tv_nsec - now.tv_nsec);
    if (left <= 0) return ETIMEDOUT;
    const timespec nap{0, static_cast<long>(left < 200000 ? left : 200000)};
    nanosleep(&nap, nullptr);
  }
#else
  int rc = 0;
  do {
    rc = pthread_mutex_clocklock(m, CLOCK_MONOTONIC, &at);
  } while (rc == EINTR);
  return rc;
#endif
}

}  // namespace

void sync_deleter::operator()(mutex_object* m) const noexcept {
  if (m == nullptr) return;
  if (m->shared != nullptr) {
    // Unmapping a robust mutex that a thread of this process holds breaks owner-death recovery
    // (its robust list would point into unmapped memory): keep the mapping in that case.
    const pid_t owner = m->shared->owner.load(std::memory_order_relaxed);
    if (!thread_of_this_process(owner)) munmap(m->shared, sizeof(shared_mutex));
  }
  delete m;
}

std::error_code mutex_open(disposition how, const object_name& name, bool initially_owned,
                           mutex_ptr& out, bool& created) noexcept {
  mutex_ptr result(new (std::nothrow) mutex_object);
  if (!result) return make_errc(std::errc::not_enough_memory);
  auto fill = [&](shared_mutex& s) -> std::error_code {
    pthread_mutexattr_t attr;
    int rc = pthread_mutexattr_init(&attr);
    if (rc != 0) return sys_error(rc);
    // PTHREAD_MUTEX_ROBUST is an enumerator in glibc: never test it with #ifdef.
    if ((rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)) == 0 &&
        (rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST)) == 0 &&
        (rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE)) == 0)
      rc = pthread_mutex_init(&s.mutex, &attr);
    pthread_mutexattr_destroy(&attr);
    if (rc != 0) return sys_error(rc);
    if (initially_owned) {
      // Locked before publication, so no other process can take it first. The mapping is kept
      // (open_sync hands it back), so the robust list entry stays valid.
      if ((rc = pthread_mutex_lock(&s.mutex)) != 0) return sys_error(rc);
      s.owner.store(this_thread_id(), std::memory_order_relaxed);
      s.depth.store(1, std::memory_order_relaxed);
    }
    return {};
  };
  auto undo = [](shared_mutex& s) {
    if (s.owner.load(std::memory_order_relaxed) == this_thread_id()) {
      s.owner.store(0, std::memory_order_relaxed);
      s.depth.store(0, std::memory_order_relaxed);
      pthread_mutex_unlock(&s.mutex);
    }
  };
  bool was_created = false;
  shared_mutex* shared = nullptr;
  if (auto ec = open_sync<shared_mutex>(how, name, posix::kind::mutex, fill, undo, result->hold,
                                        shared, was_created))
    return ec;
  result->shared = shared;
  if (was_created && initially_owned) result->levels = 1;
  out = std::move(result);
  created = was_created;
  return {};
}

namespace {

// Called once pthread has given the calling thread the mutex: records it as the owner, or one more
// level when it already was (`owner` is cleared before the last level is unlocked, and reset after
// EOWNERDEAD, so finding our own id there means a recursive lock), and takes over an abandonment
// left by mutex_abandon_if_owned. Plain loads and stores: only the owner writes these fields.
[[gnu::always_inline]] inline void note_acquired(mutex_object& m, shared_mutex& s, bool abandoned,
                                                 lock_status& status) noexcept {
  const pid_t me = this_thread_id();
  const std::uint32_t depth = s.depth.load(std::memory_order_relaxed);
  if (s.owner.load(std::memory_order_relaxed) == me && depth > 0) {
    s.depth.store(depth + 1, std::memory_order_relaxed);
    ++m.levels;
    status = lock_status::acquired;  // a recursive level keeps taken_over as it is
    return;
  }
  s.owner.store(me, std::memory_order_relaxed);
  s.depth.store(1, std::memory_order_relaxed);
  m.levels = 1;
  if (s.abandoned.load(std::memory_order_relaxed) != 0) [[unlikely]] {
    s.abandoned.store(0, std::memory_order_relaxed);
    abandoned = true;
  }
  s.taken_over.store(abandoned ? 1 : 0, std::memory_order_relaxed);
  status = abandoned ? lock_status::abandoned : lock_status::acquired;
}

// A lock attempt with a finite timeout (<= 0: just a try).
[[gnu::noinline]] int lock_within(pthread_mutex_t* m, std::chrono::nanoseconds timeout) noexcept {
  if (timeout <= std::chrono::nanoseconds::zero()) return pthread_mutex_trylock(m);
  const deadline d = make_deadline(timeout);
  return d.infinite ? pthread_mutex_lock(m) : timed_lock(m, d.at);
}

// pthread returned `rc` != 0 from a lock attempt.
[[gnu::noinline]] std::error_code mutex_acquire_failed(mutex_object& m, shared_mutex& s, int rc,
                                                       lock_status& status) noexcept {
  if (rc == EOWNERDEAD) {
    // The owner died holding it. Make it consistent before anything else: an unlock without it
    // would leave the mutex ENOTRECOVERABLE forever.
    if (int c = pthread_mutex_consistent(&s.mutex); c != 0) return sys_error(c);
    s.owner.store(0, std::memory_order_relaxed);
    s.depth.store(0, std::memory_order_relaxed);
    note_acquired(m, s, true, status);
    return {};
  }
  if (rc == EBUSY || rc == ETIMEDOUT) {
    status = lock_status::timed_out;
    return {};
  }
  return sys_error(rc);
}

}  // namespace

std::error_code mutex_acquire(mutex_object& m, std::chrono::nanoseconds timeout,
                              lock_status& status) noexcept {
  shared_mutex& s = *m.shared;
  const int rc = timeout == std::chrono::nanoseconds::max() ? pthread_mutex_lock(&s.mutex)
                                                            : lock_within(&s.mutex, timeout);
  if (rc != 0) [[unlikely]]
    return mutex_acquire_failed(m, s, rc, status);
  note_acquired(m, s, false, status);
  return no_error();
}

std::error_code mutex_release(mutex_object& m) noexcept {
  shared_mutex& s = *m.shared;
  const pid_t me = this_thread_id();
  const std::uint32_t depth = s.depth.load(std::memory_order_relaxed);
  if (s.owner.load(std::memory_order_relaxed) != me || depth == 0) [[unlikely]]
    return make_errc(std::errc::operation_not_permitted);
  s.depth.store(depth - 1, std::memory_order_relaxed);
  const std::uint32_t taken_over = s.taken_over.load(std::memory_order_relaxed);
  if (depth == 1) {
    s.owner.store(0, std::memory_order_relaxed);
    s.taken_over.store(0, std::memory_order_relaxed);
  }
  const std::uint32_t levels = m.levels;
  if (m.levels > 0) --m.levels;
  if (int rc = pthread_mutex_unlock(&s.mutex); rc != 0) [[unlikely]] {
    // pthread disagrees (a recycled thread id): restore our view and report it.
    s.owner.store(me, std::memory_order_relaxed);
    s.depth.store(depth, std::memory_order_relaxed);
    s.taken_over.store(taken_over, std::memory_order_relaxed);
    m.levels = levels;
    return rc == EPERM ? make_errc(std::errc::operation_not_permitted) : sys_error(rc);
  }
  return no_error();
}

void mutex_abandon_if_owned(mutex_object& m) noexcept {
  if (m.shared == nullptr) return;
  shared_mutex& s = *m.shared;
  const pid_t me = this_thread_id();
  if (s.owner.load(std::memory_order_relaxed) != me || m.levels == 0) return;
  std::uint32_t depth = s.depth.load(std::memory_order_relaxed);
  // Drop all but the last level first: if pthread says we are not the owner after all, leave
  // everything as it is.
  while (depth > 1) {
    if (pthread_mutex_unlock(&s.mutex) != 0) {
      s.depth.store(depth, std::memory_order_relaxed);
      return;
    }
    --depth;
  }
  s.depth.store(0, std::memory_order_relaxed);
  s.owner.store(0, std::memory_order_relaxed);
  const std::uint32_t taken_over = s.taken_over.exchange(0, std::memory_order_relaxed);
  m.levels = 0;
  s.abandoned.store(1, std::memory_order_relaxed);  // published by the unlock below
  if (pthread_mutex_unlock(&s.mutex) != 0) {
    s.abandoned.store(0, std::memory_order_relaxed);
    s.owner.store(me, std::memory_order_relaxed);
    s.depth.store(1, std::memory_order_relaxed);
    s.taken_over.store(taken_over, std::memory_order_relaxed);
  }
}

bool mutex_owned_after_abandonment(const mutex_object& m) noexcept {
  if (m.shared == nullptr) return false;
  const shared_mutex& s = *m.shared;
  // owner and depth equal to ours can only have been written by this thread, which also wrote
  // taken_over: no race with another owner.
  return s.owner.load(std::memory_order_relaxed) == this_thread_id() &&
         s.depth.load(std::memory_order_relaxed) > 0 &&
         s.taken_over.load(std::memory_order_relaxed) != 0;
}

}  // namespace mmf::detail::platform
