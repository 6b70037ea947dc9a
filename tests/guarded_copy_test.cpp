// mmf — view_accessor::copy_to / copy_from on the normal path: copies, bounds, access and the
// empty accessor, in both the error_code and the throwing forms. Faults on vanished pages (a
// file shrunk by another process) are tested in tests/posix/guarded_copy_test.cpp.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/mmf.hpp>

#include "support/error_assertions.hpp"
#include "support/test_support.hpp"

namespace {

using mmf::access;
using mmf::file_mode;
using mmf::memory_mapped_file;
using mmf::view_accessor;

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

std::vector<std::byte> pattern(std::size_t n, unsigned seed) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = static_cast<std::byte>((i * 131 + seed) & 0xff);
  return v;
}

class GuardedCopy : public ::testing::Test {
 protected:
  mmf_test::temp_dir dir_;
  std::filesystem::path path_ = dir_ / "guarded.bin";
  // Several 64 KiB chunks, and a size that is not a multiple of a page.
  std::uint64_t size_ = 3 * 65536 + 4 * mmf::page_size() + 123;
};

TEST_F(GuardedCopy, CopiesBothWaysAcrossChunksAtUnalignedPositions) {
  auto map = memory_mapped_file::create_from_file(path_, file_mode::create_new, {}, size_);
  auto view = map.create_view_accessor(0, 0);
  for (std::uint64_t position : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{65535},
                                 std::uint64_t{4097}, size_ - 70000}) {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(size_ - position, 2 * 65536 + 777));
    const auto in = pattern(n, static_cast<unsigned>(position));
    std::error_code ec = std::make_error_code(std::errc::invalid_argument);
    EXPECT_EQ(view.copy_from(position, in, ec), n);
    EXPECT_FALSE(ec) << position;
    std::vector<std::byte> out(n);
    ec = std::make_error_code(std::errc::invalid_argument);
    EXPECT_EQ(view.copy_to(position, out, ec), n);
    EXPECT_FALSE(ec) << position;
    EXPECT_EQ(out, in) << position;
    // What copy_from wrote is in the view; the throwing forms do the same.
    EXPECT_EQ(std::memcmp(view.bytes().data() + position, in.data(), n), 0);
    std::vector<std::byte> again(n);
    EXPECT_EQ(view.copy_to(position, again), n);
    EXPECT_EQ(again, in);
    EXPECT_EQ(view.copy_from(position, std::span<const std::byte>(again)), n);
  }
}

TEST_F(GuardedCopy, WholeViewAndEmptySpans) {
  auto map = memory_mapped_file::create_from_file(path_, file_mode::create_new, {}, size_);
  auto view = map.create_view_accessor(100, 0);  // an offset inside the first page
  const std::size_t cap = static_cast<std::size_t>(view.capacity());
  const auto in = pattern(cap, 7);
  EXPECT_EQ(view.copy_from(0, in), cap);
  std::vector<std::byte> out(cap);
  EXPECT_EQ(view.copy_to(0, out), cap);
  EXPECT_EQ(out, in);
  std::error_code ec = std::make_error_code(std::errc::invalid_argument);
  EXPECT_EQ(view.copy_to(view.capacity(), std::span<std::byte>(), ec), 0u);
  EXPECT_FALSE(ec);
  ec = std::make_error_code(std::errc::invalid_argument);
  EXPECT_EQ(view.copy_from(view.capacity(), std::span<const std::byte>(), ec), 0u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(view.copy_to(3, std::span<std::byte>()), 0u);
}

TEST_F(GuardedCopy, OutOfRangeIsResultOutOfRangeAndCopiesNothing) {
  auto map = memory_mapped_file::create_from_file(path_, file_mode::create_new, {}, size_);
  auto view = map.create_view_accessor(0, 1000);
  std::vector<std::byte> out(10, std::byte{0x5a});
  const std::vector<std::byte> in(10, std::byte{1});
  struct row {
    std::uint64_t position;
    std::size_t size;
  };
  for (row r :
       {row{991, 10}, row{1001, 0}, row{1000, 1}, row{kMax, 1}, row{kMax, 0}, row{kMax - 5, 10}}) {
    std::error_code ec;
    EXPECT_EQ(view.copy_to(r.position, std::span(out).first(r.size), ec), 0u);
    EXPECT_EQ(ec, std::errc::result_out_of_range) << r.position << " " << r.size;
    EXPECT_EQ(view.copy_from(r.position, std::span(in).first(r.size), ec), 0u);
    EXPECT_EQ(ec, std::errc::result_out_of_range) << r.position << " " << r.size;
    EXPECT_MMF_ERROR(view.copy_to(r.position, std::span(out).first(r.size)),
                     std::errc::result_out_of_range);
    EXPECT_MMF_ERROR(view.copy_from(r.position, std::span(in).first(r.size)),
                     std::errc::result_out_of_range);
  }
  EXPECT_EQ(out, std::vector<std::byte>(10, std::byte{0x5a}));
  EXPECT_EQ(view.bytes()[995], std::byte{0});
  const std::string what =
      MMF_ERROR_WHAT(view.copy_to(995, std::span(out)), std::errc::result_out_of_range);
  EXPECT_NE(what.find("view_accessor::copy_to"), std::string::npos) << what;
}

TEST_F(GuardedCopy, AccessIsCheckedFirst) {
  auto map = memory_mapped_file::create_from_file(path_, file_mode::create_new, {}, size_);
  auto read_only = map.create_view_accessor(0, 100, access::read);
  auto write_only = map.create_view_accessor(0, 100, access::write);
  std::vector<std::byte> buf(10);
  std::error_code ec;
  EXPECT_EQ(read_only.copy_from(0, std::span<const std::byte>(buf), ec), 0u);
  EXPECT_EQ(ec, std::errc::permission_denied);
  EXPECT_EQ(write_only.copy_to(0, std::span(buf), ec), 0u);
  EXPECT_EQ(ec, std::errc::permission_denied);
  // Even with a range that would be out of range, as read() and write() do.
  EXPECT_EQ(write_only.copy_to(kMax, std::span(buf), ec), 0u);
  EXPECT_EQ(ec, std::errc::permission_denied);
  EXPECT_MMF_ERROR(read_only.copy_from(0, std::span<const std::byte>(buf)),
                   std::errc::permission_denied);
  EXPECT_MMF_ERROR(write_only.copy_to(0, std::span(buf)), std::errc::permission_denied);
  // A write-only view can be written, a read-only one read.
  EXPECT_EQ(write_only.copy_from(0, std::span<const std::byte>(buf), ec), 10u);
  EXPECT_FALSE(ec);
  EXPECT_EQ(read_only.copy_to(0, std::span(buf), ec), 10u);
  EXPECT_FALSE(ec);
}

TEST(GuardedCopyEmpty, EmptyAccessorIsBadFileDescriptor) {
  view_accessor empty;
  std::vector<std::byte> buf(4);
  std::error_code ec;
  EXPECT_EQ(empty.copy_to(0, std::span(buf), ec), 0u);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
  EXPECT_EQ(empty.copy_from(0, std::span<const std::byte>(buf), ec), 0u);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
  EXPECT_EQ(empty.copy_to(0, std::span<std::byte>(), ec), 0u);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(empty.copy_to(0, std::span(buf)), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(empty.copy_from(0, std::span<const std::byte>(buf)),
                   std::errc::bad_file_descriptor);
}

TEST(GuardedCopyShared, NonPersistedMapsCopyToo) {
  auto map = memory_mapped_file::create_new(mmf_test::unique_name(), 10000);
  auto view = map.create_view_accessor();
  const auto in = pattern(10000, 3);
  EXPECT_EQ(view.copy_from(0, in), 10000u);
  std::vector<std::byte> out(10000);
  EXPECT_EQ(view.copy_to(0, out), 10000u);
  EXPECT_EQ(out, in);
}

}  // namespace
