// mmf — wait_any / wait_all on Windows (platform::wait_many): one WaitForMultipleObjects over the
// objects' kernel handles, so the kernel takes one object (wait_any, the lowest index when several
// are signalled) or all of them atomically (wait_all). A mutex it gives this thread gets the same
// bookkeeping as mutex_acquire (recursion, the emulated abandonment by destruction: its companion
// flag is taken once the mutex is ours). With wait_all, WAIT_ABANDONED_0 + i names one abandoned
// mutex; the others are reported through their companion flags only.
#include <array>

#include "win32.hpp"

namespace mmf::detail::platform {

std::error_code wait_many(const wait_target* targets, std::size_t count, bool all,
                          std::chrono::nanoseconds timeout, std::size_t& index, bool& abandoned,
                          bool& timed_out) noexcept {
  std::array<HANDLE, MAXIMUM_WAIT_OBJECTS> handles{};
  for (std::size_t i = 0; i < count; ++i) {
    const wait_target& t = targets[i];
    handles[i] = t.mutex != nullptr   ? wait_handle(*t.mutex)
                 : t.event != nullptr ? wait_handle(*t.event)
                                      : wait_handle(*t.semaphore);
  }
  const auto n = static_cast<DWORD>(count);
  const DWORD r = win::wait_multiple(handles.data(), n, all, timeout);
  if (r == WAIT_TIMEOUT) {
    timed_out = true;
    return {};
  }
  bool kernel_abandoned = false;
  std::size_t which = 0;
  if (r >= WAIT_OBJECT_0 && r < WAIT_OBJECT_0 + n) {
    which = r - WAIT_OBJECT_0;
  } else if (r >= WAIT_ABANDONED_0 && r < WAIT_ABANDONED_0 + n) {
    which = r - WAIT_ABANDONED_0;
    kernel_abandoned = true;
  } else {
    return win::last_error();
  }
  bool was_abandoned = false;
  if (all) {
    for (std::size_t i = 0; i < count; ++i) {
      if (targets[i].mutex == nullptr) continue;
      bool a = false;
      mutex_note_acquired(*targets[i].mutex, kernel_abandoned && i == which, a);
    }
  } else if (targets[which].mutex != nullptr) {
    mutex_note_acquired(*targets[which].mutex, kernel_abandoned, was_abandoned);
  }
  index = which;
  abandoned = was_abandoned;
  timed_out = false;
  return {};
}

}  // namespace mmf::detail::platform
