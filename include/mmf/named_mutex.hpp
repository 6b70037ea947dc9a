// mmf — a mutex shared between processes by name, like a Windows named Mutex.
//
// Recursive for its owning thread: the owner may lock it again and must unlock it as many times.
// Lockable, so std::lock_guard and std::unique_lock work. Abandonment: when the owning thread ends
// or its process dies (exit without unlock, SIGKILL) while owning it, or when a named_mutex object
// is destroyed by the thread that owns it, the next acquirer gets lock_status::abandoned from
// acquire() and owns a working mutex (lock()/try_lock*() treat abandoned as acquired). The data
// the mutex protected may be inconsistent then.
//
// Names and lifetime are those of named non-persisted maps (see <mmf/memory_mapped_file.hpp>):
// the mutex exists while any process holds a handle to it. On POSIX mutexes have their own
// namespace; on Windows they share the kernel's with maps, events and semaphores.
//
// Threads: one named_mutex object may be used by several threads at once, like std::mutex.
// Errors: factories throw mmf::error (or set ec in their noexcept overloads); members on an empty
// object throw bad_file_descriptor.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>
#include <system_error>

#include <mmf/error.hpp>
#include <mmf/export.hpp>

namespace mmf {

// Wait forever.
inline constexpr std::chrono::nanoseconds infinite = std::chrono::nanoseconds::max();

enum class lock_status { acquired, abandoned, timed_out };

namespace detail {
struct mutex_state;
struct event_state;
struct semaphore_state;
struct wait_access;  // wait_any / wait_all reach the back end's objects through it
// Converts a duration to nanoseconds, saturating (negative → 0, too large → infinite).
template <class Rep, class Period>
constexpr std::chrono::nanoseconds to_timeout(const std::chrono::duration<Rep, Period>& d) {
  using namespace std::chrono;
  if (d <= duration<Rep, Period>::zero()) return nanoseconds::zero();
  if (duration_cast<duration<double, std::nano>>(d).count() >=
      static_cast<double>(nanoseconds::max().count()))
    return nanoseconds::max();
  const auto ns = duration_cast<nanoseconds>(d);
  return ns < d ? ns + nanoseconds(1) : ns;  // never wait less than asked
}
}  // namespace detail

class MMF_API named_mutex {
 public:
  named_mutex() noexcept;
  named_mutex(named_mutex&&) noexcept;
  named_mutex& operator=(named_mutex&&) noexcept;
  named_mutex(const named_mutex&) = delete;
  named_mutex& operator=(const named_mutex&) = delete;
  // Destroying the object while this thread owns it abandons the mutex.
  ~named_mutex();

  explicit operator bool() const noexcept { return state_ != nullptr; }

  // Opens the mutex `name`, or creates it. `initially_owned` applies only when this call creates
  // it (the calling thread then owns it). *created_new is set to whether this call created it.
  // Errors: invalid_argument (bad name), permission_denied (another user's object),
  // not_enough_memory / no_space_on_device.
  static named_mutex create_or_open(std::string_view name, bool initially_owned = false,
                                    bool* created_new = nullptr);
  static named_mutex create_or_open(std::string_view name, bool initially_owned, bool* created_new,
                                    std::error_code& ec) noexcept;
  // An object of that name that is not a valid mutex (a corrupt or foreign file in the
  // shared-memory directory on POSIX) is refused with invalid_argument, by both factories.
  // Errors: no_such_file_or_directory (no live mutex of that name), invalid_argument,
  // permission_denied.
  static named_mutex open_existing(std::string_view name);
  static named_mutex open_existing(std::string_view name, std::error_code& ec) noexcept;

  // Blocks until this thread owns the mutex (an abandoned mutex counts as acquired).
  void lock();
  bool try_lock();
  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& d) {
    return acquire(detail::to_timeout(d)) != lock_status::timed_out;
  }
  // Releases one level of ownership. Errors: operation_not_permitted if this thread does not own
  // the mutex.
  void unlock();
  // Like WaitHandle.WaitOne: waits up to `timeout` (measured on a monotonic clock, never returning
  // early). `abandoned` means the previous owner died holding it and the caller now owns it.
  lock_status acquire(std::chrono::nanoseconds timeout = infinite);

  // True while the calling thread owns the mutex and that ownership began by taking it over from
  // an owner that died (the acquisition that acquire() reports as lock_status::abandoned, also
  // when it came through lock(), try_lock() or try_lock_for()). Recursive acquisitions keep it;
  // the unlock that releases ownership clears it. So code under std::lock_guard can tell that the
  // data the mutex guards may be half-updated (the seed's WaitOne pattern). False for an empty
  // object and for threads that do not own the mutex; never fails.
  bool owned_after_abandonment() const noexcept;

  std::string_view name() const noexcept;

 private:
  friend struct detail::wait_access;
  explicit named_mutex(std::unique_ptr<detail::mutex_state> s) noexcept;
  std::unique_ptr<detail::mutex_state> state_;
};

}  // namespace mmf
