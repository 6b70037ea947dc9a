// mmf — what the Windows back end's .cpp files share: <windows.h>, a HANDLE owner, names as the
// kernel wants them (UTF-16, Local\ or Global\), security attributes and waits with timeouts.
// Private to src/windows/.
#pragma once

// WIN32_LEAN_AND_MEAN and NOMINMAX are the build's (mmf_use_windows_h, cmake/MmfWindows.cmake).
#include <windows.h>

#include <chrono>
#include <string>
#include <string_view>
#include <system_error>

#include "platform.hpp"
#include "unique_handle.hpp"
#include "windows/win_error.hpp"

namespace mmf::detail::win {

// A kernel handle (file, section, mutex, event, semaphore). CreateFile reports failure with
// INVALID_HANDLE_VALUE and the Create*/Open* object functions with nullptr: callers store only
// valid handles, and both values count as "no handle" when closing.
struct handle_traits {
  using type = HANDLE;
  static HANDLE invalid() noexcept { return nullptr; }
  static void close(HANDLE h) noexcept {
    if (h != INVALID_HANDLE_VALUE) ::CloseHandle(h);
  }
};
using unique_handle = unique_resource<handle_traits>;

// What CreateFileMapping/CreateMutex/... take for `inheritability`: no security descriptor (the
// default DACL of the caller's token) and bInheritHandle as asked.
struct security_attributes {
  SECURITY_ATTRIBUTES sa{};
  explicit security_attributes(inheritability inherit) noexcept {
    sa.nLength = sizeof sa;
    sa.lpSecurityDescriptor = nullptr;
    sa.bInheritHandle = inherit == inheritability::inheritable ? TRUE : FALSE;
  }
  SECURITY_ATTRIBUTES* get() noexcept { return &sa; }
};

// UTF-8 → UTF-16. Fails with invalid_argument on invalid UTF-8 (names are validated before, so
// this does not happen for names).
std::error_code to_wide(std::string_view utf8, std::wstring& out) noexcept;

// The kernel object name for a validated name: L"Local\\<bare>" or L"Global\\<bare>". `tag`, when
// not empty, is put before the bare name (for the library's private companion objects).
std::error_code kernel_name(const object_name& name, std::wstring& out,
                            std::string_view tag = {}) noexcept;

// Waits for `h` for up to `timeout` (nanoseconds::max() waits forever). WaitForSingleObject takes
// whole milliseconds and may wake up to a clock tick early, so the timeout is rounded up and the
// wait repeated against a monotonic deadline: it never returns WAIT_TIMEOUT early. Returns
// WAIT_OBJECT_0, WAIT_ABANDONED, WAIT_TIMEOUT or WAIT_FAILED (GetLastError() then says why).
DWORD wait(HANDLE h, std::chrono::nanoseconds timeout) noexcept;
// The same for several handles (WaitForMultipleObjects, wait_all as it says), with the same
// rounding and deadline: returns WAIT_OBJECT_0 + i, WAIT_ABANDONED_0 + i, WAIT_TIMEOUT or
// WAIT_FAILED.
DWORD wait_multiple(const HANDLE* handles, DWORD count, bool wait_all,
                    std::chrono::nanoseconds timeout) noexcept;

// The failure of a Create*/Open* call: another kind of object under the name is
// ERROR_INVALID_HANDLE, reported as "in use" when creating and "not found" when opening.
std::error_code open_failure(bool creating) noexcept;

}  // namespace mmf::detail::win

namespace mmf::detail::platform {

// For wait_many (wait_many_windows.cpp): the kernel handle each object waits on, and the
// bookkeeping of a mutex that a wait other than mutex_acquire has just given this thread
// (recursion, the emulated abandonment of mutex_windows.cpp); `abandoned` is set to whether the
// acquisition counts as lock_status::abandoned.
HANDLE wait_handle(const mutex_object& m) noexcept;
HANDLE wait_handle(const event_object& e) noexcept;
HANDLE wait_handle(const semaphore_object& s) noexcept;
void mutex_note_acquired(mutex_object& m, bool kernel_abandoned, bool& abandoned) noexcept;

}  // namespace mmf::detail::platform
