// mmf — a counting semaphore shared between processes by name, like a Windows named Semaphore.
//
// Names and lifetime are those of named non-persisted maps (see <mmf/memory_mapped_file.hpp>).
// Threads: one object may be used by several threads at once. Errors: factories throw mmf::error
// (or set ec in their noexcept overloads); members on an empty object throw bad_file_descriptor.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <system_error>

#include <mmf/error.hpp>
#include <mmf/export.hpp>
#include <mmf/named_mutex.hpp>

namespace mmf {

class MMF_API named_semaphore {
 public:
  named_semaphore() noexcept;
  named_semaphore(named_semaphore&&) noexcept;
  named_semaphore& operator=(named_semaphore&&) noexcept;
  named_semaphore(const named_semaphore&) = delete;
  named_semaphore& operator=(const named_semaphore&) = delete;
  ~named_semaphore();

  explicit operator bool() const noexcept { return state_ != nullptr; }

  // Opens the semaphore `name`, or creates it with `initial_count` of `maximum_count` (the counts
  // apply only when this call creates it). Errors: invalid_argument (bad name,
  // initial_count > maximum_count, maximum_count == 0, and on Windows, whose kernel counts in a
  // LONG, maximum_count > 2^31 - 1), permission_denied, not_enough_memory / no_space_on_device.
  static named_semaphore create_or_open(std::string_view name, std::uint32_t initial_count,
                                        std::uint32_t maximum_count, bool* created_new = nullptr);
  static named_semaphore create_or_open(std::string_view name, std::uint32_t initial_count,
                                        std::uint32_t maximum_count, bool* created_new,
                                        std::error_code& ec) noexcept;
  // An object of that name that is not a valid semaphore (a corrupt or foreign file in the
  // shared-memory directory on POSIX) is refused with invalid_argument, by both factories.
  // Errors: no_such_file_or_directory, invalid_argument, permission_denied.
  static named_semaphore open_existing(std::string_view name);
  static named_semaphore open_existing(std::string_view name, std::error_code& ec) noexcept;

  // Adds `count` and returns the previous count. Errors: invalid_argument (count 0),
  // value_too_large (the count would pass the maximum; the count is unchanged).
  std::uint32_t release(std::uint32_t count = 1);
  void acquire();
  bool try_acquire();
  template <class Rep, class Period>
  bool try_acquire_for(const std::chrono::duration<Rep, Period>& d) {
    return try_acquire_for_ns(detail::to_timeout(d));
  }
  // The same with a nanosecond timeout (infinite waits forever).
  bool try_acquire_for_ns(std::chrono::nanoseconds timeout);

  std::string_view name() const noexcept;

 private:
  friend struct detail::wait_access;
  explicit named_semaphore(std::unique_ptr<detail::semaphore_state> s) noexcept;
  std::unique_ptr<detail::semaphore_state> state_;
};

}  // namespace mmf
