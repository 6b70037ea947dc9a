// mmf — the one table from Win32 error codes to portable conditions (see win_error.hpp).
#include "win32.hpp"

namespace mmf::detail::win {

std::error_code error_from_win32(unsigned long code) noexcept {
  using std::errc;
  auto generic = [](errc e) { return std::make_error_code(e); };
  switch (code) {
    case ERROR_SUCCESS:
      return {};

    // Missing objects and files.
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME:
    case ERROR_BAD_PATHNAME:
      return generic(errc::no_such_file_or_directory);

    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS:
      return generic(errc::file_exists);

    // More access than the object, the file or the OS allows. A sharing or lock violation is
    // another process refusing us the file: the same answer from the caller's point of view.
    case ERROR_ACCESS_DENIED:
    case ERROR_INVALID_ACCESS:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case ERROR_WRITE_PROTECT:
    case ERROR_CURRENT_DIRECTORY:
      return generic(errc::permission_denied);

    case ERROR_INVALID_NAME:
    case ERROR_INVALID_PARAMETER:
    case ERROR_BAD_ARGUMENTS:
    case ERROR_INVALID_FLAGS:
    case ERROR_BAD_LENGTH:
    case ERROR_NEGATIVE_SEEK:
    case ERROR_MAPPED_ALIGNMENT:
    case ERROR_NO_UNICODE_TRANSLATION:
      return generic(errc::invalid_argument);

    case ERROR_FILENAME_EXCED_RANGE:
      return generic(errc::filename_too_long);

    // No memory, commit charge or address space for the mapping.
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_COMMITMENT_LIMIT:
    case ERROR_NO_SYSTEM_RESOURCES:
    case ERROR_NONPAGED_SYSTEM_RESOURCES:
    case ERROR_PAGED_SYSTEM_RESOURCES:
    case ERROR_PAGEFILE_QUOTA:
    case ERROR_WORKING_SET_QUOTA:
      return generic(errc::not_enough_memory);

    // No space for the capacity. ERROR_FILE_TOO_LARGE (EFBIG) is here too: API.md reports a
    // capacity the file system cannot hold as no_space_on_device.
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
    case ERROR_FILE_TOO_LARGE:
      return generic(errc::no_space_on_device);

    case ERROR_NOT_OWNER:  // ReleaseMutex by a thread that does not own the mutex
    case ERROR_PRIVILEGE_NOT_HELD:
      return generic(errc::operation_not_permitted);

    case ERROR_TOO_MANY_POSTS:  // ReleaseSemaphore past the maximum count
    case ERROR_ARITHMETIC_OVERFLOW:
      return generic(errc::value_too_large);

    case ERROR_INVALID_HANDLE:
      return generic(errc::bad_file_descriptor);

    case ERROR_TOO_MANY_OPEN_FILES:
      return generic(errc::too_many_files_open);

    case ERROR_USER_MAPPED_FILE:  // resizing a file that has a mapped view
    case ERROR_BUSY:
      return generic(errc::device_or_resource_busy);

    case ERROR_DIR_NOT_EMPTY:
      return generic(errc::directory_not_empty);
    case ERROR_DIRECTORY:
      return generic(errc::not_a_directory);

    case ERROR_INVALID_FUNCTION:
    case ERROR_NOT_SUPPORTED:
    case ERROR_CALL_NOT_IMPLEMENTED:
      return generic(errc::function_not_supported);

    case ERROR_SEM_TIMEOUT:
    case WAIT_TIMEOUT:
      return generic(errc::timed_out);

    case ERROR_OPERATION_ABORTED:
      return generic(errc::operation_canceled);

    case ERROR_INVALID_ADDRESS:
    case ERROR_NOACCESS:
      return generic(errc::bad_address);

    default:
      return {static_cast<int>(code), std::system_category()};
  }
}

std::error_code last_error() noexcept {
  return error_from_win32(GetLastError());
}

}  // namespace mmf::detail::win
