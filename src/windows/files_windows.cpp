// mmf — Windows back end: files for persisted maps.
//
// Files are opened with FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, so that other
// processes (and other maps in this one) can open, map and even delete or rename them while a map
// is open, as on POSIX.
#include <winternl.h>

#include "win32.hpp"

namespace mmf::detail::platform {

namespace {

constexpr DWORD share_all = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

DWORD creation_disposition(file_mode mode) noexcept {
  switch (mode) {
    case file_mode::create_new:
      return CREATE_NEW;
    case file_mode::create:
      return CREATE_ALWAYS;  // truncates an existing file
    case file_mode::open_or_create:
      return OPEN_ALWAYS;
    case file_mode::open:
    default:
      return OPEN_EXISTING;
  }
}

}  // namespace

std::error_code open_file(const std::filesystem::path& path, file_mode mode, bool writable,
                          inheritability inherit, native_handle& out, bool& created) noexcept {
  if (mode == file_mode::truncate || mode == file_mode::append)
    return make_error_code(std::errc::invalid_argument);
  win::security_attributes sa(inherit);
  const DWORD disposition = creation_disposition(mode);
  // GENERIC_EXECUTE too, so that an execute map (PAGE_EXECUTE_READ[WRITE]) can be made over the
  // file; a file that may not be executed is opened without it, and such a map then fails with
  // permission_denied.
  DWORD want = GENERIC_READ | GENERIC_EXECUTE | (writable ? GENERIC_WRITE : 0);
  HANDLE h = ::CreateFileW(path.c_str(), want, share_all, sa.get(), disposition,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE && ::GetLastError() == ERROR_ACCESS_DENIED) {
    want &= ~static_cast<DWORD>(GENERIC_EXECUTE);
    h = ::CreateFileW(path.c_str(), want, share_all, sa.get(), disposition, FILE_ATTRIBUTE_NORMAL,
                      nullptr);
  }
  if (h == INVALID_HANDLE_VALUE) return win::last_error();
  // CREATE_ALWAYS and OPEN_ALWAYS report an existing file with ERROR_ALREADY_EXISTS.
  const DWORD why = ::GetLastError();
  switch (disposition) {
    case CREATE_NEW:
      created = true;
      break;
    case OPEN_EXISTING:
      created = false;
      break;
    default:
      created = why != ERROR_ALREADY_EXISTS;
      break;
  }
  out = h;
  return {};
}

std::error_code file_exists(const std::filesystem::path& path, bool& exists) noexcept {
  const DWORD attributes = ::GetFileAttributesW(path.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    const DWORD e = ::GetLastError();
    if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND) {
      exists = false;
      return {};
    }
    return win::error_from_win32(e);
  }
  exists = true;
  return {};
}

std::error_code file_size(native_handle file, std::uint64_t& size) noexcept {
  LARGE_INTEGER li{};
  if (!::GetFileSizeEx(file, &li)) return win::last_error();
  size = static_cast<std::uint64_t>(li.QuadPart);
  return {};
}

// SetFileInformationByHandle(FileEndOfFileInfo) sets the size without moving the file pointer.
// Growing does not write the new bytes: NTFS records a valid-data length and reads past it return
// zeros, so growing is cheap (not a sparse file, but no zero-filling either).
std::error_code resize_file(native_handle file, std::uint64_t size) noexcept {
  if (size > static_cast<std::uint64_t>(INT64_MAX))
    return make_error_code(std::errc::no_space_on_device);
  FILE_END_OF_FILE_INFO info{};
  info.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
  if (!::SetFileInformationByHandle(file, FileEndOfFileInfo, &info, sizeof info))
    return win::last_error();
  return {};
}

// The access a handle was opened with, from NtQueryObject(ObjectBasicInformation), the documented
// (winternl.h) way to read a handle's granted access. ntdll is always loaded.
std::error_code handle_access(native_handle file, bool& readable, bool& writable) noexcept {
  using query_object_fn = LONG(NTAPI*)(HANDLE, int, PVOID, ULONG, PULONG);
  static const auto query = reinterpret_cast<query_object_fn>(
      reinterpret_cast<void*>(::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "NtQueryObject")));
  if (file == nullptr || file == INVALID_HANDLE_VALUE)
    return make_error_code(std::errc::bad_file_descriptor);
  if (::GetFileType(file) == FILE_TYPE_UNKNOWN && ::GetLastError() != NO_ERROR)
    return win::last_error();
  if (query == nullptr) return make_error_code(std::errc::function_not_supported);
  PUBLIC_OBJECT_BASIC_INFORMATION info{};
  ULONG got = 0;
  const LONG status = query(file, 0 /* ObjectBasicInformation */, &info, sizeof info, &got);
  if (status < 0) return win::error_from_win32(ERROR_INVALID_HANDLE);
  const ACCESS_MASK granted = info.GrantedAccess;
  readable = (granted & (FILE_READ_DATA | GENERIC_READ | GENERIC_ALL)) != 0;
  writable = (granted & (FILE_WRITE_DATA | GENERIC_WRITE | GENERIC_ALL)) != 0;
  return {};
}

std::error_code set_inheritable(native_handle handle, bool inheritable) noexcept {
  if (!::SetHandleInformation(handle, HANDLE_FLAG_INHERIT, inheritable ? HANDLE_FLAG_INHERIT : 0))
    return win::last_error();
  return {};
}

void close_handle(native_handle handle) noexcept {
  if (handle != nullptr && handle != INVALID_HANDLE_VALUE) ::CloseHandle(handle);
}

void remove_file(const std::filesystem::path& path) noexcept {
  ::DeleteFileW(path.c_str());
}

}  // namespace mmf::detail::platform
