// mmf — an event shared between processes by name, like a Windows named EventWaitHandle.
//
// A manual-reset event, once set, releases every waiter, present and future, until reset().
// An automatic-reset event releases exactly one waiter per set() and resets itself; a set() with
// no waiter stays pending until one waiter comes. No wake-up is ever lost. Timed waits use a
// monotonic clock and never return early.
//
// Names and lifetime are those of named non-persisted maps (see <mmf/memory_mapped_file.hpp>).
// Threads: one object may be used by several threads at once. Errors: factories throw mmf::error
// (or set ec in their noexcept overloads); members on an empty object throw bad_file_descriptor.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>
#include <system_error>

#include <mmf/error.hpp>
#include <mmf/export.hpp>
#include <mmf/named_mutex.hpp>

namespace mmf {

enum class event_reset { manual, automatic };

class MMF_API named_event {
 public:
  named_event() noexcept;
  named_event(named_event&&) noexcept;
  named_event& operator=(named_event&&) noexcept;
  named_event(const named_event&) = delete;
  named_event& operator=(const named_event&) = delete;
  ~named_event();

  explicit operator bool() const noexcept { return state_ != nullptr; }

  // Opens the event `name`, or creates it with `mode` (`initially_set` applies only when this
  // call creates it; opening an existing event keeps its mode). *created_new is set to whether
  // this call created it. Errors: invalid_argument (bad name or mode), permission_denied,
  // not_enough_memory / no_space_on_device.
  static named_event create_or_open(std::string_view name, event_reset mode,
                                    bool initially_set = false, bool* created_new = nullptr);
  static named_event create_or_open(std::string_view name, event_reset mode, bool initially_set,
                                    bool* created_new, std::error_code& ec) noexcept;
  // An object of that name that is not a valid event (a corrupt or foreign file in the
  // shared-memory directory on POSIX) is refused with invalid_argument, by both factories.
  // Errors: no_such_file_or_directory, invalid_argument, permission_denied.
  static named_event open_existing(std::string_view name);
  static named_event open_existing(std::string_view name, std::error_code& ec) noexcept;

  void set();
  void reset();
  void wait();
  template <class Rep, class Period>
  bool wait_for(const std::chrono::duration<Rep, Period>& d) {
    return wait_for_ns(detail::to_timeout(d));
  }
  // The same with a nanosecond timeout (infinite waits forever); true when the event was set.
  bool wait_for_ns(std::chrono::nanoseconds timeout);

  std::string_view name() const noexcept;

 private:
  friend struct detail::wait_access;
  explicit named_event(std::unique_ptr<detail::event_state> s) noexcept;
  std::unique_ptr<detail::event_state> state_;
};

}  // namespace mmf
