// mmf tests (Windows) — guarded copies over a persisted view whose file is shrunk: Windows refuses
// to shrink a file that has a mapped view (ERROR_USER_MAPPED_FILE), and the test says so when it
// skips; where the shrink goes through, copy_to gives io_error with the pages before copied.
#include <windows.h>

#include <gtest/gtest.h>

#include <cstddef>
#include <system_error>
#include <vector>

#include <mmf/mmf.hpp>

#include "support/test_support.hpp"

namespace {

TEST(WindowsGuardedCopy, ShrunkFileIsIoErrorOrRefused) {
  mmf_test::temp_dir dir;
  const auto path = dir / "shrinking.bin";
  const std::size_t page = mmf::page_size();
  auto map =
      mmf::memory_mapped_file::create_from_file(path, mmf::file_mode::create_new, {}, 16 * page);
  auto view = map.create_view_accessor();
  HANDLE h = ::CreateFileW(path.wstring().c_str(), GENERIC_READ | GENERIC_WRITE,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  ASSERT_NE(h, INVALID_HANDLE_VALUE) << ::GetLastError();
  LARGE_INTEGER size;
  size.QuadPart = static_cast<LONGLONG>(page);
  const bool shrunk = ::SetFilePointerEx(h, size, nullptr, FILE_BEGIN) && ::SetEndOfFile(h);
  const DWORD why = ::GetLastError();
  ::CloseHandle(h);
  if (!shrunk)
    GTEST_SKIP() << "the OS refuses to shrink a file with a mapped view (error " << why
                 << (why == ERROR_USER_MAPPED_FILE ? ", ERROR_USER_MAPPED_FILE" : "") << ")";
  std::vector<std::byte> out(16 * page);
  std::error_code ec;
  EXPECT_EQ(view.copy_to(0, out, ec), page);
  EXPECT_EQ(ec, std::errc::io_error);
}

}  // namespace
