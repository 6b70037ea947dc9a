// mmf — Windows back end: names, waits, system facts and named-object inspection.
#include <algorithm>

#include "win32.hpp"

namespace mmf::detail::win {

std::error_code to_wide(std::string_view utf8, std::wstring& out) noexcept {
  try {
    std::wstring w;
    if (!utf8.empty()) {
      if (utf8.size() > static_cast<std::size_t>(INT_MAX))
        return std::make_error_code(std::errc::invalid_argument);
      const int n = ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(),
                                          static_cast<int>(utf8.size()), nullptr, 0);
      if (n <= 0) return last_error();
      w.resize(static_cast<std::size_t>(n));
      if (::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(),
                                static_cast<int>(utf8.size()), w.data(), n) != n)
        return last_error();
    }
    out = std::move(w);
    return {};
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

std::error_code kernel_name(const object_name& name, std::wstring& out,
                            std::string_view tag) noexcept {
  std::wstring wide_tag;
  std::wstring bare;
  if (auto ec = to_wide(tag, wide_tag)) return ec;
  if (auto ec = to_wide(name.bare, bare)) return ec;
  try {
    std::wstring full = name.where == scope::global ? L"Global\\" : L"Local\\";
    full += wide_tag;
    full += bare;
    out = std::move(full);
    return {};
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

DWORD wait_multiple(const HANDLE* handles, DWORD count, bool wait_all,
                    std::chrono::nanoseconds timeout) noexcept {
  using namespace std::chrono;
  const BOOL all = wait_all ? TRUE : FALSE;
  if (timeout <= nanoseconds::zero()) return ::WaitForMultipleObjects(count, handles, all, 0);
  const auto start = steady_clock::now();
  // A deadline past what steady_clock can hold (about 292 years) is "forever".
  const bool forever = timeout == nanoseconds::max() ||
                       timeout > nanoseconds::max() - start.time_since_epoch() - hours(24);
  const auto deadline = forever ? steady_clock::time_point::max() : start + timeout;
  // The longest single wait: anything below INFINITE (0xFFFFFFFF) that is finite.
  constexpr DWORD max_chunk = 0x7FFFFFFF;
  for (;;) {
    DWORD ms = max_chunk;
    if (!forever) {
      const auto remaining = deadline - steady_clock::now();
      if (remaining <= nanoseconds::zero()) return WAIT_TIMEOUT;
      const auto rounded_up = ceil<milliseconds>(remaining).count();
      ms = static_cast<DWORD>(std::min<long long>(rounded_up, max_chunk));
    }
    const DWORD r = ::WaitForMultipleObjects(count, handles, all, forever ? INFINITE : ms);
    if (r != WAIT_TIMEOUT) return r;
  }
}

DWORD wait(HANDLE h, std::chrono::nanoseconds timeout) noexcept {
  // One handle: WaitForMultipleObjects gives WAIT_OBJECT_0, WAIT_ABANDONED or WAIT_TIMEOUT as
  // WaitForSingleObject does.
  return wait_multiple(&h, 1, false, timeout);
}

std::error_code open_failure(bool creating) noexcept {
  const DWORD e = ::GetLastError();
  if (e == ERROR_INVALID_HANDLE)
    return make_error_code(creating ? std::errc::file_exists
                                    : std::errc::no_such_file_or_directory);
  return error_from_win32(e);
}

}  // namespace mmf::detail::win

namespace mmf::detail::platform {

namespace {
const SYSTEM_INFO& system_info() noexcept {
  static const SYSTEM_INFO info = [] {
    SYSTEM_INFO si{};
    ::GetSystemInfo(&si);
    return si;
  }();
  return info;
}
}  // namespace

std::size_t page_size() noexcept {
  return system_info().dwPageSize;
}
std::size_t allocation_granularity() noexcept {
  return system_info().dwAllocationGranularity;
}

// Windows keeps named maps, mutexes, events and semaphores in the kernel's object directory
// (\Sessions\<n>\BaseNamedObjects for Local\, \BaseNamedObjects for Global\), shared with every
// other program's objects and reachable only through the native NtOpenDirectoryObject /
// NtQueryDirectoryObject calls, with no way to tell the library's objects from anyone else's.
// Kernel objects also cannot be stale: they vanish with their last handle. So there is nothing to
// list and nothing to remove: the list is empty.
std::error_code list_objects(bool /*include_global*/, bool /*remove_stale*/,
                             std::vector<object_info>& out) noexcept {
  out.clear();
  return {};
}

// The bytes of a non-persisted map live in the paging file, not in a file a program could open:
// there is no path (an empty one). Other programs open the map by its name.
std::filesystem::path shared_memory_path(const object_name& /*name*/) {
  return {};
}

// Who may open a Windows kernel object is decided by its security descriptor (by default the
// creator's token's default DACL: the creator, SYSTEM and Administrators), not by mode bits. The
// library does not translate Unix permission bits into a DACL: not supported.
std::error_code set_object_permissions(object_kind /*kind*/, const object_name& /*name*/,
                                       unsigned /*mode*/) noexcept {
  return make_error_code(std::errc::operation_not_supported);
}

}  // namespace mmf::detail::platform
