// mmf — Windows error codes to the portable conditions of API.md, in one place.
//
// Kept free of <windows.h> so that tests can include it; the code is a DWORD (GetLastError()).
#pragma once

#include <system_error>

namespace mmf::detail::win {

// Maps a Win32 error code to the portable std::errc condition API.md promises (generic category),
// e.g. ERROR_FILE_NOT_FOUND → no_such_file_or_directory, ERROR_ALREADY_EXISTS → file_exists,
// ERROR_ACCESS_DENIED → permission_denied. Codes with no portable meaning keep their native value
// in std::system_category(), so message() still reads as Windows' own text. 0 gives {}.
std::error_code error_from_win32(unsigned long code) noexcept;

// error_from_win32(GetLastError()).
std::error_code last_error() noexcept;

}  // namespace mmf::detail::win
