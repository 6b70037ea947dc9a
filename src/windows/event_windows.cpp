// mmf — Windows back end of named_event: the kernel's own event (CreateEventExW, manual or
// automatic reset), named Local\<name> or Global\<name> in UTF-16, so Win32 and .NET programs
// open the same object. What a set() makes visible: a waiter released by SetEvent sees every
// write made before it (the wait is a full barrier).
#include <atomic>
#include <climits>
#include <new>

#include "win32.hpp"

namespace mmf::detail::platform {

using win::open_failure;

struct event_object {
  win::unique_handle handle;
};

void sync_deleter::operator()(event_object* e) const noexcept {
  delete e;
}
std::error_code event_open(disposition how, const object_name& name, event_reset mode,
                           bool initially_set, event_ptr& out, bool& created) noexcept {
  std::wstring wide;
  if (auto ec = win::kernel_name(name, wide)) return ec;
  event_ptr e(new (std::nothrow) event_object);
  if (!e) return make_error_code(std::errc::not_enough_memory);
  constexpr DWORD rights = SYNCHRONIZE | EVENT_MODIFY_STATE;
  bool made = false;
  if (how == disposition::open_existing) {
    e->handle.reset(::OpenEventW(rights, FALSE, wide.c_str()));
    if (!e->handle) return open_failure(false);
  } else {
    const DWORD flags = (mode == event_reset::manual ? CREATE_EVENT_MANUAL_RESET : 0) |
                        (initially_set ? CREATE_EVENT_INITIAL_SET : 0);
    win::security_attributes sa(inheritability::none);
    e->handle.reset(::CreateEventExW(sa.get(), wide.c_str(), flags, rights));
    if (!e->handle) return open_failure(true);
    made = ::GetLastError() != ERROR_ALREADY_EXISTS;
  }
  created = made;
  out = std::move(e);
  return {};
}

std::error_code event_set(event_object& e) noexcept {
  return ::SetEvent(e.handle.get()) ? std::error_code{} : win::last_error();
}

std::error_code event_clear(event_object& e) noexcept {
  return ::ResetEvent(e.handle.get()) ? std::error_code{} : win::last_error();
}

std::error_code event_wait(event_object& e, std::chrono::nanoseconds timeout,
                           bool& signaled) noexcept {
  const DWORD r = win::wait(e.handle.get(), timeout);
  if (r == WAIT_TIMEOUT) {
    signaled = false;
    return {};
  }
  if (r != WAIT_OBJECT_0) return win::last_error();
  signaled = true;
  return {};
}

HANDLE wait_handle(const event_object& o) noexcept {
  return o.handle.get();
}

}  // namespace mmf::detail::platform
