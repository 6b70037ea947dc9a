// mmf tests (Windows) — every row of the Win32-error → portable-condition table in
// src/windows/errors_windows.cpp, one test per mapping.
//
// The mapping function is internal: this test includes its header from src/ and links it from the
// static library (the windows preset builds mmf as a static library).
#include <windows.h>

#include <gtest/gtest.h>

#include <ostream>
#include <system_error>

#include "../../src/windows/win_error.hpp"

namespace {

using mmf::detail::win::error_from_win32;

struct mapping {
  const char* name;
  DWORD code;
  std::errc expected;
};

void PrintTo(const mapping& m, std::ostream* os) {
  *os << m.name;
}

class ErrorMapping : public ::testing::TestWithParam<mapping> {};

TEST_P(ErrorMapping, MapsToThePortableCondition) {
  const mapping& m = GetParam();
  const std::error_code ec = error_from_win32(m.code);
  EXPECT_TRUE(ec == m.expected) << m.name << " gave " << ec.category().name() << ':' << ec.value()
                                << " (" << ec.message() << ")";
  EXPECT_EQ(&ec.category(), &std::generic_category()) << m.name;
}

#define MMF_ROW(code, cond)      \
  mapping {                      \
#code, code, std::errc::cond \
  }

INSTANTIATE_TEST_SUITE_P(
    Win32, ErrorMapping,
    ::testing::Values(
        MMF_ROW(ERROR_FILE_NOT_FOUND, no_such_file_or_directory),
        MMF_ROW(ERROR_PATH_NOT_FOUND, no_such_file_or_directory),
        MMF_ROW(ERROR_INVALID_DRIVE, no_such_file_or_directory),
        MMF_ROW(ERROR_BAD_NETPATH, no_such_file_or_directory),
        MMF_ROW(ERROR_BAD_NET_NAME, no_such_file_or_directory),
        MMF_ROW(ERROR_BAD_PATHNAME, no_such_file_or_directory),
        MMF_ROW(ERROR_ALREADY_EXISTS, file_exists), MMF_ROW(ERROR_FILE_EXISTS, file_exists),
        MMF_ROW(ERROR_ACCESS_DENIED, permission_denied),
        MMF_ROW(ERROR_INVALID_ACCESS, permission_denied),
        MMF_ROW(ERROR_SHARING_VIOLATION, permission_denied),
        MMF_ROW(ERROR_LOCK_VIOLATION, permission_denied),
        MMF_ROW(ERROR_WRITE_PROTECT, permission_denied),
        MMF_ROW(ERROR_CURRENT_DIRECTORY, permission_denied),
        MMF_ROW(ERROR_INVALID_NAME, invalid_argument),
        MMF_ROW(ERROR_INVALID_PARAMETER, invalid_argument),
        MMF_ROW(ERROR_BAD_ARGUMENTS, invalid_argument),
        MMF_ROW(ERROR_INVALID_FLAGS, invalid_argument), MMF_ROW(ERROR_BAD_LENGTH, invalid_argument),
        MMF_ROW(ERROR_NEGATIVE_SEEK, invalid_argument),
        MMF_ROW(ERROR_MAPPED_ALIGNMENT, invalid_argument),
        MMF_ROW(ERROR_NO_UNICODE_TRANSLATION, invalid_argument),
        MMF_ROW(ERROR_FILENAME_EXCED_RANGE, filename_too_long),
        MMF_ROW(ERROR_NOT_ENOUGH_MEMORY, not_enough_memory),
        MMF_ROW(ERROR_OUTOFMEMORY, not_enough_memory),
        MMF_ROW(ERROR_COMMITMENT_LIMIT, not_enough_memory),
        MMF_ROW(ERROR_NO_SYSTEM_RESOURCES, not_enough_memory),
        MMF_ROW(ERROR_NONPAGED_SYSTEM_RESOURCES, not_enough_memory),
        MMF_ROW(ERROR_PAGED_SYSTEM_RESOURCES, not_enough_memory),
        MMF_ROW(ERROR_PAGEFILE_QUOTA, not_enough_memory),
        MMF_ROW(ERROR_WORKING_SET_QUOTA, not_enough_memory),
        MMF_ROW(ERROR_DISK_FULL, no_space_on_device),
        MMF_ROW(ERROR_HANDLE_DISK_FULL, no_space_on_device),
        MMF_ROW(ERROR_FILE_TOO_LARGE, no_space_on_device),
        MMF_ROW(ERROR_NOT_OWNER, operation_not_permitted),
        MMF_ROW(ERROR_PRIVILEGE_NOT_HELD, operation_not_permitted),
        MMF_ROW(ERROR_TOO_MANY_POSTS, value_too_large),
        MMF_ROW(ERROR_ARITHMETIC_OVERFLOW, value_too_large),
        MMF_ROW(ERROR_INVALID_HANDLE, bad_file_descriptor),
        MMF_ROW(ERROR_TOO_MANY_OPEN_FILES, too_many_files_open),
        MMF_ROW(ERROR_USER_MAPPED_FILE, device_or_resource_busy),
        MMF_ROW(ERROR_BUSY, device_or_resource_busy),
        MMF_ROW(ERROR_DIR_NOT_EMPTY, directory_not_empty),
        MMF_ROW(ERROR_DIRECTORY, not_a_directory),
        MMF_ROW(ERROR_INVALID_FUNCTION, function_not_supported),
        MMF_ROW(ERROR_NOT_SUPPORTED, function_not_supported),
        MMF_ROW(ERROR_CALL_NOT_IMPLEMENTED, function_not_supported),
        MMF_ROW(ERROR_SEM_TIMEOUT, timed_out), MMF_ROW(WAIT_TIMEOUT, timed_out),
        MMF_ROW(ERROR_OPERATION_ABORTED, operation_canceled),
        MMF_ROW(ERROR_INVALID_ADDRESS, bad_address), MMF_ROW(ERROR_NOACCESS, bad_address)),
    [](const ::testing::TestParamInfo<mapping>& info) { return std::string(info.param.name); });

TEST(ErrorMappingFallback, SuccessIsNoError) {
  EXPECT_FALSE(error_from_win32(ERROR_SUCCESS));
}

TEST(ErrorMappingFallback, UnknownCodesKeepTheirNativeValue) {
  const std::error_code ec = error_from_win32(ERROR_INVALID_EXE_SIGNATURE);
  EXPECT_EQ(ec.value(), static_cast<int>(ERROR_INVALID_EXE_SIGNATURE));
  EXPECT_EQ(&ec.category(), &std::system_category());
}

TEST(ErrorMappingFallback, LastErrorReadsGetLastError) {
  ::SetLastError(ERROR_FILE_NOT_FOUND);
  EXPECT_TRUE(mmf::detail::win::last_error() == std::errc::no_such_file_or_directory);
  ::SetLastError(ERROR_SUCCESS);
  EXPECT_FALSE(mmf::detail::win::last_error());
}

}  // namespace
