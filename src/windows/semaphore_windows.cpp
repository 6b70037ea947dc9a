// mmf — Windows back end of named_semaphore: the kernel's own semaphore (CreateSemaphoreExW),
// named Local\<name> or Global\<name> in UTF-16, so Win32 and .NET programs open the same
// object. What a release() makes visible: the acquirer that takes the count sees every write made
// before ReleaseSemaphore.
#include <atomic>
#include <climits>
#include <new>

#include "win32.hpp"

namespace mmf::detail::platform {

using win::open_failure;

struct semaphore_object {
  win::unique_handle handle;
};

void sync_deleter::operator()(semaphore_object* s) const noexcept {
  delete s;
}

// Windows counts in a LONG: a maximum_count above LONG_MAX (2^31 - 1) is invalid_argument here.
std::error_code semaphore_open(disposition how, const object_name& name,
                               std::uint32_t initial_count, std::uint32_t maximum_count,
                               semaphore_ptr& out, bool& created) noexcept {
  std::wstring wide;
  if (auto ec = win::kernel_name(name, wide)) return ec;
  semaphore_ptr s(new (std::nothrow) semaphore_object);
  if (!s) return make_error_code(std::errc::not_enough_memory);
  constexpr DWORD rights = SYNCHRONIZE | SEMAPHORE_MODIFY_STATE;
  bool made = false;
  if (how == disposition::open_existing) {
    s->handle.reset(::OpenSemaphoreW(rights, FALSE, wide.c_str()));
    if (!s->handle) return open_failure(false);
  } else {
    if (maximum_count > static_cast<std::uint32_t>(LONG_MAX))
      return make_error_code(std::errc::invalid_argument);
    win::security_attributes sa(inheritability::none);
    s->handle.reset(::CreateSemaphoreExW(sa.get(), static_cast<LONG>(initial_count),
                                         static_cast<LONG>(maximum_count), wide.c_str(), 0,
                                         rights));
    if (!s->handle) return open_failure(true);
    made = ::GetLastError() != ERROR_ALREADY_EXISTS;
  }
  created = made;
  out = std::move(s);
  return {};
}

std::error_code semaphore_release(semaphore_object& s, std::uint32_t count,
                                  std::uint32_t& previous) noexcept {
  if (count > static_cast<std::uint32_t>(LONG_MAX))
    return make_error_code(std::errc::value_too_large);
  LONG prev = 0;
  // ERROR_TOO_MANY_POSTS (past the maximum, count unchanged): value_too_large.
  if (!::ReleaseSemaphore(s.handle.get(), static_cast<LONG>(count), &prev))
    return win::last_error();
  previous = static_cast<std::uint32_t>(prev);
  return {};
}

std::error_code semaphore_acquire(semaphore_object& s, std::chrono::nanoseconds timeout,
                                  bool& acquired) noexcept {
  const DWORD r = win::wait(s.handle.get(), timeout);
  if (r == WAIT_TIMEOUT) {
    acquired = false;
    return {};
  }
  if (r != WAIT_OBJECT_0) return win::last_error();
  acquired = true;
  return {};
}

HANDLE wait_handle(const semaphore_object& o) noexcept {
  return o.handle.get();
}

}  // namespace mmf::detail::platform
