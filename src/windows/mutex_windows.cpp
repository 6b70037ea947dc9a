// mmf — Windows back end of named_mutex: the kernel's own mutex (CreateMutexExW), named
// Local\<name> or Global\<name> in UTF-16, so Win32 and .NET programs open the same object.
// Lifetime, recursion and WAIT_ABANDONED on the death of the owning thread or process are the
// kernel's. What an unlock makes visible: the next owner sees every write made before
// ReleaseMutex (the wait is a full barrier).
//
// Abandonment by destruction (API.md: "a mutex is abandoned ... when a named_mutex object is
// destroyed by the thread that owns it"). A Windows mutex is abandoned only when its owning thread
// ends; closing a handle does not release it, and no user-mode call marks a mutex abandoned. So it
// is emulated: every mutex has a private companion, a semaphore with a maximum count of 1 named
// Local\mmf-abandoned:<name> (Global\ for Global\ names), which lives exactly as long as the
// library's handles to the mutex. Its count is the flag "abandoned by destruction". Destroying a
// named_mutex on its owning thread raises the count and releases every level of ownership that
// object holds; the next acquirer through this library takes the count (WaitForSingleObject with
// a zero timeout, under the mutex, so without a race) and reports lock_status::abandoned. A
// semaphore rather than a shared page because creating a file mapping in Global\ needs
// SeCreateGlobalPrivilege, which a mutex in Global\ does not; the price is one extra zero-timeout
// wait per (non-recursive) acquisition.
// Limits, documented: a Win32 or .NET program that takes the mutex next sees a normal acquisition
// (and leaves the flag for the next acquirer through this library); a program's own object named
// "mmf-abandoned:<name>" would clash with the companion.
#include <atomic>
#include <climits>
#include <new>

#include "win32.hpp"

namespace mmf::detail::platform {

using win::open_failure;

struct mutex_object {
  win::unique_handle handle;
  win::unique_handle abandoned;         // the companion semaphore: count 1 = abandoned
  std::atomic<std::uint64_t> owner{0};  // serial of the thread owning it through this object
  std::uint32_t depth = 0;              // recursion depth through this object (owner only)
  bool taken_over = false;  // the current ownership began as lock_status::abandoned (owner only)
};

void sync_deleter::operator()(mutex_object* m) const noexcept {
  delete m;
}
namespace {

// A number per thread, never reused in the process (thread ids are reused quickly on Windows, and
// a thread that died owning the mutex must not be mistaken for a new one with its id).
std::uint64_t thread_serial() noexcept {
  static std::atomic<std::uint64_t> next{1};
  thread_local const std::uint64_t serial = next.fetch_add(1, std::memory_order_relaxed);
  return serial;
}

std::error_code open_companion(const object_name& name, mutex_object& m) noexcept {
  std::wstring wide;
  if (auto ec = win::kernel_name(name, wide, "mmf-abandoned:")) return ec;
  m.abandoned.reset(
      ::CreateSemaphoreExW(nullptr, 0, 1, wide.c_str(), 0, SYNCHRONIZE | SEMAPHORE_MODIFY_STATE));
  if (!m.abandoned) return open_failure(true);
  return {};
}

// Takes the "abandoned by destruction" flag, if it is raised.
bool take_flag(mutex_object& m) noexcept {
  return ::WaitForSingleObject(m.abandoned.get(), 0) == WAIT_OBJECT_0;
}

}  // namespace

std::error_code mutex_open(disposition how, const object_name& name, bool initially_owned,
                           mutex_ptr& out, bool& created) noexcept {
  std::wstring wide;
  if (auto ec = win::kernel_name(name, wide)) return ec;
  mutex_ptr m(new (std::nothrow) mutex_object);
  if (!m) return make_error_code(std::errc::not_enough_memory);
  constexpr DWORD rights = SYNCHRONIZE | MUTEX_MODIFY_STATE;
  bool made = false;
  if (how == disposition::open_existing) {
    m->handle.reset(::OpenMutexW(rights, FALSE, wide.c_str()));
    if (!m->handle) return open_failure(false);
    if (auto ec = open_companion(name, *m)) return ec;
  } else {
    // The companion first: once this thread owns a new mutex, nothing may fail any more.
    if (auto ec = open_companion(name, *m)) return ec;
    win::security_attributes sa(inheritability::none);
    m->handle.reset(::CreateMutexExW(sa.get(), wide.c_str(),
                                     initially_owned ? CREATE_MUTEX_INITIAL_OWNER : 0, rights));
    if (!m->handle) return open_failure(true);
    made = ::GetLastError() != ERROR_ALREADY_EXISTS;
    // CREATE_MUTEX_INITIAL_OWNER takes ownership only when this call created the mutex.
    if (made && initially_owned) {
      m->owner.store(thread_serial(), std::memory_order_relaxed);
      m->depth = 1;
    }
  }
  created = made;
  out = std::move(m);
  return {};
}

std::error_code mutex_acquire(mutex_object& m, std::chrono::nanoseconds timeout,
                              lock_status& status) noexcept {
  const DWORD r = win::wait(m.handle.get(), timeout);
  if (r == WAIT_TIMEOUT) {
    status = lock_status::timed_out;
    return {};
  }
  if (r != WAIT_OBJECT_0 && r != WAIT_ABANDONED) return win::last_error();
  bool abandoned = false;
  mutex_note_acquired(m, r == WAIT_ABANDONED, abandoned);
  status = abandoned ? lock_status::abandoned : lock_status::acquired;
  return {};
}

void mutex_note_acquired(mutex_object& m, bool kernel_abandoned, bool& abandoned) noexcept {
  const std::uint64_t me = thread_serial();
  abandoned = kernel_abandoned;
  if (!kernel_abandoned && m.owner.load(std::memory_order_relaxed) == me && m.depth > 0) {
    ++m.depth;  // recursive acquisition: the flag cannot have been set while we held it
  } else {
    m.owner.store(me, std::memory_order_relaxed);
    m.depth = 1;
    if (take_flag(m)) abandoned = true;
    m.taken_over = abandoned;
  }
}

HANDLE wait_handle(const mutex_object& m) noexcept {
  return m.handle.get();
}

std::error_code mutex_release(mutex_object& m) noexcept {
  const std::uint64_t me = thread_serial();
  const bool mine = m.owner.load(std::memory_order_relaxed) == me && m.depth > 0;
  // Bookkeeping before ReleaseMutex: once released, another thread may own it and write it.
  const bool taken_over = m.taken_over;
  if (mine && --m.depth == 0) {
    m.owner.store(0, std::memory_order_relaxed);
    m.taken_over = false;
  }
  if (!::ReleaseMutex(m.handle.get())) {
    const std::error_code ec = win::last_error();  // ERROR_NOT_OWNER: operation_not_permitted
    if (mine && m.depth++ == 0) {
      m.owner.store(me, std::memory_order_relaxed);
      m.taken_over = taken_over;
    }
    return ec;
  }
  return {};
}

void mutex_abandon_if_owned(mutex_object& m) noexcept {
  const std::uint64_t me = thread_serial();
  if (m.owner.load(std::memory_order_relaxed) != me || m.depth == 0) return;
  ::ReleaseSemaphore(m.abandoned.get(), 1, nullptr);  // already raised: ERROR_TOO_MANY_POSTS
  std::uint32_t levels = m.depth;
  m.depth = 0;
  m.taken_over = false;
  m.owner.store(0, std::memory_order_relaxed);
  while (levels-- > 0 && ::ReleaseMutex(m.handle.get())) {
  }
}

bool mutex_owned_after_abandonment(const mutex_object& m) noexcept {
  // owner equal to our serial was written by this thread, as were depth and taken_over.
  return m.owner.load(std::memory_order_relaxed) == thread_serial() && m.depth > 0 && m.taken_over;
}

}  // namespace mmf::detail::platform
