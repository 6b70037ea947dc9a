// mmf — the POSIX back end of named_mutex, named_event and named_semaphore.
//
// Each object is a small named shared object (src/posix/named_object.hpp: liveness, lifetime,
// atomic creation and security live there) holding one of the structs below. The struct is built
// inside named_spec::init, before the object is published, so nobody ever sees it half made, and
// it starts with a header that named_spec::validate checks: an object of the wrong size, magic,
// version or kind (a corrupt file, or a foreign one under our name) is refused with
// std::errc::invalid_argument.
//
// - Mutex: a robust, process-shared, recursive pthread mutex (RELIABILITY.md: call
//   pthread_mutex_consistent first after EOWNERDEAD; never unmap it while a thread of this
//   process holds it). `owner`/`depth` track the owning thread for mutex_release and
//   mutex_abandon_if_owned; `abandoned` carries "destroyed by its owner" to the next acquirer.
// - Event: one 64-bit word; its low half is the futex word (state), its high half counts the
//   registered waiters. Waiters sleep with shared (not _PRIVATE) FUTEX_WAIT_BITSET on the low
//   half with the value they saw, so a change between the check and the sleep is never lost.
//     manual:    low = generation << 1 | set bit. set() bumps the generation, so a waiter whose
//                generation changed returns even if reset() came before it ran.
//     automatic: low = pending signals. set() adds one only while signals <= waiters (one per
//                registered waiter plus one pending), and wakes one sleeper.
//   Known limit: a waiter killed (SIGKILL) while registered stays counted. Nobody else is
//   disturbed (no wake-up is lost, the others are woken as before), but on an automatic event each
//   such dead registration lets one more set() stay pending while nobody waits.
// - Semaphore: the count is the futex word, with the maximum and a waiter count beside it.
// Timed waits use absolute CLOCK_MONOTONIC deadlines (FUTEX_WAIT_BITSET without
// FUTEX_CLOCK_REALTIME; pthread_mutex_clocklock), so they never return early.
// Spinning before a sleep (events and semaphores) pays only while the signaller runs on another
// CPU: it is skipped when the process may use one CPU only, or when the last set()/release() ran
// on the waiter's own CPU (recorded in the shared object), and its length adapts per handle
// (doubled when it succeeds or the signal came soon after it gave up, halved when it ends in a
// long sleep, within fixed bounds: see `spinner`).
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <utility>

#include "errors.hpp"
#include "named_object.hpp"
#include "platform.hpp"

namespace mmf::detail::platform {

namespace {

using posix::named_object;
using posix::named_spec;

std::error_code sys_error(int e) noexcept {
  return {e, std::system_category()};
}
std::error_code last_error() noexcept {
  return sys_error(errno);
}

// ---- Shared layouts
// -------------------------------------------------------------------------------

constexpr std::uint32_t sync_magic = 0x53464d4d;  // "MMFS" in little-endian bytes
constexpr std::uint16_t sync_version = 1;

enum class sync_kind : std::uint16_t { mutex = 1, event = 2, semaphore = 3 };

struct sync_header {
  std::uint32_t magic;
  std::uint16_t version;
  sync_kind kind;
  std::uint32_t size;  // sizeof the whole struct
  std::uint32_t reserved;
};

static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
static_assert(sizeof(std::atomic<std::uint64_t>) == sizeof(std::uint64_t));
static_assert(sizeof(pid_t) == sizeof(std::int32_t));

struct shared_mutex {
  sync_header header;
  std::atomic<std::int32_t> owner;       // tid of the owning thread, 0 when unowned
  std::atomic<std::uint32_t> depth;      // recursion levels of the owner (written by the owner)
  std::atomic<std::uint32_t> abandoned;  // 1: released by mutex_abandon_if_owned
  // 1 while the current ownership began by taking over from a dead or destroying owner (the
  // acquisition that reported lock_status::abandoned); written by the owner only.
  std::atomic<std::uint32_t> taken_over;
  pthread_mutex_t mutex;
};

struct shared_event {
  sync_header header;
  std::uint32_t mode;                          // 0 manual, 1 automatic
  std::atomic<std::uint32_t> signaller_cpu;    // CPU of the last set(), plus one; 0: unknown
  alignas(8) std::atomic<std::uint64_t> word;  // low: futex state, high: registered waiters
};

struct shared_semaphore {
  sync_header header;
  std::atomic<std::uint32_t> count;  // the futex word
  std::uint32_t maximum;
  std::atomic<std::uint32_t> waiters;
  std::atomic<std::uint32_t> signaller_cpu;  // CPU of the last release(), plus one; 0: unknown
};

template <class T>
constexpr sync_kind kind_of();
template <>
constexpr sync_kind kind_of<shared_mutex>() {
  return sync_kind::mutex;
}
template <>
constexpr sync_kind kind_of<shared_event>() {
  return sync_kind::event;
}
template <>
constexpr sync_kind kind_of<shared_semaphore>() {
  return sync_kind::semaphore;
}

template <class T>
sync_header make_header() noexcept {
  return sync_header{sync_magic, sync_version, kind_of<T>(), static_cast<std::uint32_t>(sizeof(T)),
                     0};
}

// ---- Futex
// -------------------------------------------------------------------------------------------

long futex_call(const void* addr, int op, std::uint32_t value, const timespec* ts,
                std::uint32_t value3) noexcept {
#if defined(__NR_futex_time64)
  // 32-bit builds with a 64-bit time_t need the time64 system call.
  if constexpr (sizeof(ts->tv_sec) > sizeof(long))
    return syscall(__NR_futex_time64, addr, op, value, ts, nullptr, value3);
#endif
  return syscall(SYS_futex, addr, op, value, ts, nullptr, value3);
}

// Sleeps while *addr == expected, until woken or the absolute CLOCK_MONOTONIC deadline (nullptr:
// none). Shared (not FUTEX_PRIVATE_FLAG): the word lives in memory shared between processes.
// Returns 0, or ETIMEDOUT, EAGAIN (the word differed), EINTR.
int futex_wait(const void* addr, std::uint32_t expected, const timespec* deadline) noexcept {
  if (futex_call(addr, FUTEX_WAIT_BITSET, expected, deadline, FUTEX_BITSET_MATCH_ANY) == 0)
    return 0;
  return errno;
}

void futex_wake(const void* addr, int count) noexcept {
  futex_call(addr, FUTEX_WAKE, static_cast<std::uint32_t>(count), nullptr, 0);
}

// The low 32 bits of a 64-bit atomic word, as the kernel sees them.
const void* low_half(const std::atomic<std::uint64_t>& word) noexcept {
  const auto* p = reinterpret_cast<const std::uint32_t*>(&word);
  return std::endian::native == std::endian::little ? p : p + 1;
}

// ---- Deadlines
// -----------------------------------------------------------------------------------

// An absolute CLOCK_MONOTONIC deadline; `infinite` when the timeout is nanoseconds::max() or the
// sum would overflow.
struct deadline {
  bool infinite = true;
  timespec at{};
  const timespec* get() const noexcept { return infinite ? nullptr : &at; }
};

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

// A short spin before sleeping: useful when the other side is running on another CPU, wasteful
// when both share one (the signaller cannot run while the waiter spins), so it is skipped there.
// The CPUs this process may run on (taskset, cpusets), not those online, decide it.
bool spinning_pays() noexcept {
  static const bool multi = [] {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set) > 1;
    return sysconf(_SC_NPROCESSORS_ONLN) > 1;
  }();
  return multi;
}

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
std::uint32_t current_cpu_tag() noexcept {
  const int cpu = sched_getcpu();
  return cpu < 0 ? 0u : static_cast<std::uint32_t>(cpu) + 1u;
}

// Called by a signaller: remembers its CPU in the shared object, for the waiters' spin decision.
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

// The calling thread's id, cached per thread (gettid() is a system call). fork() copies the
// forking thread's cache into the child, whose only thread has another id: a pthread_atfork child
// handler clears it there. The handler is registered before the first id is cached.
thread_local pid_t cached_thread_id = 0;

void on_fork_child() noexcept {
  cached_thread_id = 0;
}

[[gnu::noinline]] pid_t fill_thread_id() noexcept {
  static const int registered = pthread_atfork(nullptr, nullptr, on_fork_child);
  (void)registered;
  cached_thread_id = static_cast<pid_t>(gettid());
  return cached_thread_id;
}

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

// ---- Mapping and the named object
// ------------------------------------------------------------------

// posix_fallocate reserves the pages so a full tmpfs is an error now, not a SIGBUS later;
// ftruncate is the fallback where the file system cannot allocate (EOPNOTSUPP).
std::error_code size_object(int fd, std::size_t size) noexcept {
  int rc = 0;
  do {
    rc = posix_fallocate(fd, 0, static_cast<off_t>(size));
  } while (rc == EINTR);
  if (rc == 0) return {};
  if (rc != EOPNOTSUPP && rc != EINVAL) return sys_error(rc);
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) return last_error();
  return {};
}

void* map_object(int fd, std::size_t size) noexcept {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  return p == MAP_FAILED ? nullptr : p;
}

template <class T>
std::error_code validate_object(int fd, const struct ::stat& st) noexcept {
  if (st.st_size != static_cast<off_t>(sizeof(T))) return make_errc(std::errc::invalid_argument);
  sync_header h{};
  ssize_t n = 0;
  do {
    n = pread(fd, &h, sizeof h, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_error();
  const sync_header want = make_header<T>();
  if (static_cast<std::size_t>(n) != sizeof h || h.magic != want.magic ||
      h.version != want.version || h.kind != want.kind || h.size != want.size)
    return make_errc(std::errc::invalid_argument);
  return {};
}

// What init leaves behind: the mapping of the object it built (and the inode, to recognise it
// once published), so the creator keeps using that mapping. A creator that lost the race (or
// whose creation failed later) must undo it with `undo`.
template <class T>
struct built {
  T* object = nullptr;
  dev_t dev = 0;
  ino_t ino = 0;
};

// Opens or creates the named object of kind `k` holding a T. `fill` initialises a new T (placement
// new already done on zeroed memory) and may return an error; `undo` is called on a built T that
// is not going to be used. On success `out_hold` holds the name and `out` points at the mapped T.
template <class T, class Fill, class Undo>
std::error_code open_sync(disposition how, const object_name& name, posix::kind k, Fill fill,
                          Undo undo, named_object& out_hold, T*& out, bool& created) noexcept {
  built<T> made;
  auto discard = [&] {
    if (made.object != nullptr) {
      undo(*made.object);
      munmap(made.object, sizeof(T));
      made.object = nullptr;
    }
  };
  named_spec spec;
  spec.what = k;
  spec.name = &name;
  spec.writable = true;
  spec.inherit = inheritability::none;
  try {
    spec.init = [&](int fd) -> std::error_code {
      discard();  // a retried creation: forget the previous attempt
      if (auto ec = size_object(fd, sizeof(T))) return ec;
      struct ::stat st {};
      if (fstat(fd, &st) != 0) return last_error();
      void* p = map_object(fd, sizeof(T));
      if (p == nullptr) return last_error();
      std::memset(p, 0, sizeof(T));
      T* object = new (p) T{};
      object->header = make_header<T>();
      if (auto ec = fill(*object)) {
        munmap(p, sizeof(T));
        return ec;
      }
      made.object = object;
      made.dev = st.st_dev;
      made.ino = st.st_ino;
      return {};
    };
    spec.validate = [](int fd, const struct ::stat& st) { return validate_object<T>(fd, st); };
  } catch (...) {
    return make_errc(std::errc::not_enough_memory);
  }
  named_object hold;
  bool was_created = false;
  if (auto ec = posix::open_named(how, spec, hold, was_created)) {
    discard();
    return ec;
  }
  T* object = nullptr;
  if (was_created && made.object != nullptr) {
    struct ::stat st {};
    if (fstat(hold.fd(), &st) == 0 && st.st_dev == made.dev && st.st_ino == made.ino)
      object = std::exchange(made.object, nullptr);
  }
  discard();
  if (object == nullptr) {
    // Opened an existing object (or, defensively, a published object we did not map in init).
    void* p = map_object(hold.fd(), sizeof(T));
    if (p == nullptr) return last_error();
    object = static_cast<T*>(p);
    if (was_created) {
      // Our init's work is not what got published: treat it as opened.
      was_created = false;
    }
  }
  out_hold = std::move(hold);
  out = object;
  created = was_created;
  return {};
}

}  // namespace

// ---- Objects
// -------------------------------------------------------------------------------------------

struct mutex_object {
  named_object hold;
  shared_mutex* shared = nullptr;
  // Levels taken through this object by the current owner (only touched while owning it): a
  // named_mutex abandons the mutex on destruction only when it was locked through it.
  std::uint32_t levels = 0;
};

struct event_object {
  named_object hold;
  shared_event* shared = nullptr;
  std::atomic<std::uint32_t> spin{spin_initial};  // this handle's spin budget (spinner)
};

struct semaphore_object {
  named_object hold;
  shared_semaphore* shared = nullptr;
  std::atomic<std::uint32_t> spin{spin_initial};
};

namespace {

// True when thread `tid` is a live thread of this process.
bool thread_of_this_process(pid_t tid) noexcept {
  if (tid <= 0) return false;
  return syscall(SYS_tgkill, getpid(), tid, 0) == 0;
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

void sync_deleter::operator()(event_object* e) const noexcept {
  if (e == nullptr) return;
  if (e->shared != nullptr) munmap(e->shared, sizeof(shared_event));
  delete e;
}

void sync_deleter::operator()(semaphore_object* s) const noexcept {
  if (s == nullptr) return;
  if (s->shared != nullptr) munmap(s->shared, sizeof(shared_semaphore));
  delete s;
}

// ---- Mutex
// ---------------------------------------------------------------------------------------------

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

// ---- Event
// ---------------------------------------------------------------------------------------------

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

std::error_code wait_manual(event_object& e, std::chrono::nanoseconds timeout, bool& signaled) {
  shared_event& s = *e.shared;
  std::uint64_t v = s.word.load(std::memory_order_acquire);
  if ((low(v) & 1u) != 0) {
    signaled = true;
    return {};
  }
  const std::uint32_t generation = low(v) >> 1;
  if (timeout == std::chrono::nanoseconds::zero()) {
    signaled = false;
    return {};
  }
  spinner spin(e.spin);
  if (spin.spin(s.signaller_cpu, [&] {
        v = s.word.load(std::memory_order_acquire);
        return manual_released(low(v), generation);
      })) {
    signaled = true;
    return {};
  }
  const deadline d = make_deadline(timeout);
  // Register as a waiter (so set() knows to wake), but only while the state is what we saw.
  for (;;) {
    if (manual_released(low(v), generation)) {
      spin.slept(true);
      signaled = true;
      return {};
    }
    if (s.word.compare_exchange_weak(v, v + waiter_unit, std::memory_order_seq_cst,
                                     std::memory_order_relaxed))
      break;
  }
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
  if (timeout == std::chrono::nanoseconds::zero()) {
    signaled = false;
    return {};
  }
  spinner spin(e.spin);
  if (spin.spin(s.signaller_cpu, [&] {
        v = s.word.load(std::memory_order_relaxed);
        return low(v) > 0 && try_take_signal(s, v, false);
      })) {
    signaled = true;
    return {};
  }
  const deadline d = make_deadline(timeout);
  for (;;) {
    if (try_take_signal(s, v, false)) {
      spin.slept(true);
      signaled = true;
      return {};
    }
    // No signal: register while there is still none (low(v) == 0 here).
    if (s.word.compare_exchange_weak(v, v + waiter_unit, std::memory_order_seq_cst,
                                     std::memory_order_relaxed))
      break;
  }
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

// ---- Semaphore
// -----------------------------------------------------------------------------------------

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
