// mmf — memory_mapped_file::grow on POSIX: the grown part goes through the reservation rule of
// creation (src/posix/reservation.hpp) and posix_fallocate, unless the map was created with
// delay_allocate_pages; a grow that memory or the file system cannot back is refused before
// anything is reserved, with injected figures only (every size here is a few pages, and
// posix_fallocate is stubbed wherever a wrong refusal could reserve: no test can exhaust memory);
// a failed grow leaves the object's size and the map's capacity as they were; persisted maps grow
// sparsely.
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64  // as the library: the syscall seam's off_t must match
#endif

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <gtest/gtest.h>

#include "posix/injected_reservation.hpp"
#include "reliability/scenarios.hpp"
#include "support/error_assertions.hpp"

namespace {

using mmf::access;
using mmf::file_mode;
using mmf::inheritability;
using mmf::map_options;
using mmf::memory_mapped_file;
using mmf::detail::posix::memory_figures;
using mmf::detail::posix::sys;

constexpr std::uint64_t kPage = 4096;

using mmf_inject::counting_fallocate;
using mmf_inject::fallocate_calls;
using mmf_inject::injected_fs_free;
using mmf_inject::injected_memory;
using mmf_inject::small_file_system;
using mmf_inject::small_memory;
constexpr auto refusing_fallocate = mmf_inject::enospc;  // where a test expects no reservation

struct ::stat stat_of(const memory_mapped_file& map) {
  struct ::stat st {};
  EXPECT_EQ(::fstat(map.native_handle(), &st), 0);
  return st;
}

class GrowReservation : public mmf_inject::injected_reservation_test {};

TEST_F(GrowReservation, DefaultGrowReservesTheGrownPart) {
  for (const bool named : {true, false}) {
    auto map =
        memory_mapped_file::create_new(named ? mmf_test::unique_name("grow_res") : "", kPage);
    sys().posix_fallocate = counting_fallocate;
    fallocate_calls = 0;
    map.grow(16 * kPage);
    EXPECT_EQ(fallocate_calls, 1) << "named " << named;
    const auto st = stat_of(map);
    EXPECT_EQ(static_cast<std::uint64_t>(st.st_size), 16 * kPage);
    EXPECT_GE(static_cast<std::uint64_t>(st.st_blocks) * 512, 16 * kPage) << "reserved";
    mmf::detail::posix::reset_syscalls();
  }
}

TEST_F(GrowReservation, DelayAllocatePagesStaysLazy) {
  auto map = memory_mapped_file::create_new(mmf_test::unique_name("grow_lazy"), kPage,
                                            access::read_write, map_options::delay_allocate_pages);
  sys().posix_fallocate = refusing_fallocate;
  injected_memory = kPage;  // would refuse any reservation: a lazy grow checks nothing
  sys().memory = small_memory;
  map.grow(64 * kPage);
  EXPECT_EQ(fallocate_calls, 0);
  EXPECT_EQ(map.capacity(), 64 * kPage);
  const auto st = stat_of(map);
  EXPECT_EQ(static_cast<std::uint64_t>(st.st_size), 64 * kPage);
  EXPECT_LT(static_cast<std::uint64_t>(st.st_blocks) * 512, 64 * kPage) << "pages come on touch";
  auto v = map.create_view_accessor(63 * kPage, kPage);
  v.write<std::uint32_t>(kPage - 4, 7);
  EXPECT_EQ(v.read<std::uint32_t>(kPage - 4), 7u);
}

TEST_F(GrowReservation, UnbackedGrowIsNotEnoughMemoryBeforeReserving) {
  const std::string name = mmf_test::unique_name("grow_nomem");
  for (const bool named : {true, false}) {
    auto map = memory_mapped_file::create_new(named ? name : "", 2 * kPage);
    auto view = map.create_view_accessor();
    view.write<std::uint64_t>(0, 42);
    sys().posix_fallocate = refusing_fallocate;  // a wrong check reserves nothing either
    sys().memory = small_memory;
    injected_memory = 4 * kPage;
    std::string what;
    EXPECT_TRUE(mmf_test::throws_mmf_error([&] { map.grow(32 * kPage); },
                                           std::errc::not_enough_memory, &what));
    EXPECT_EQ(fallocate_calls, 0) << "refused before anything was reserved";
    EXPECT_NE(what.find("grow"), std::string::npos) << what;
    EXPECT_NE(what.find("available in memory and swap"), std::string::npos) << what;
    if (named) {
      EXPECT_NE(what.find(name), std::string::npos) << what;
    }
    EXPECT_EQ(map.capacity(), 2 * kPage);
    EXPECT_EQ(static_cast<std::uint64_t>(stat_of(map).st_size), 2 * kPage) << "size unchanged";
    EXPECT_EQ(view.read<std::uint64_t>(0), 42u);
    // The grown part is what is asked, not the whole: a grow that fits passes.
    injected_memory = 8 * kPage;
    sys().posix_fallocate = counting_fallocate;
    map.grow(9 * kPage);
    EXPECT_EQ(map.capacity(), 9 * kPage);
    mmf::detail::posix::reset_syscalls();
    fallocate_calls = 0;
  }
}

TEST_F(GrowReservation, UnbackedGrowIsNoSpaceOnDeviceWhenTheFileSystemIsFull) {
  auto map = memory_mapped_file::create_new(mmf_test::unique_name("grow_nospace"), kPage);
  sys().posix_fallocate = refusing_fallocate;
  sys().fstatvfs = small_file_system;
  injected_fs_free = 2 * kPage;
  std::error_code ec;
  map.grow(8 * kPage, ec);
  EXPECT_EQ(ec, std::errc::no_space_on_device);
  EXPECT_EQ(fallocate_calls, 0);
  EXPECT_EQ(map.capacity(), kPage);
  EXPECT_EQ(static_cast<std::uint64_t>(stat_of(map).st_size), kPage);
}

TEST_F(GrowReservation, FailingFallocateLeavesTheSizeAsItWas) {
  auto map = memory_mapped_file::create_new({}, kPage);
  sys().posix_fallocate = refusing_fallocate;
  EXPECT_MMF_ERROR(map.grow(4 * kPage), std::errc::no_space_on_device);
  EXPECT_EQ(fallocate_calls, 1);
  EXPECT_EQ(map.capacity(), kPage);
  EXPECT_EQ(static_cast<std::uint64_t>(stat_of(map).st_size), kPage);
}

TEST_F(GrowReservation, PersistedGrowIsSparse) {
  mmf_test::temp_dir dir;
  auto map =
      memory_mapped_file::create_from_file(dir / "sparse.bin", file_mode::create_new, {}, kPage);
  sys().posix_fallocate = refusing_fallocate;
  map.grow(256 * kPage);
  EXPECT_EQ(fallocate_calls, 0);
  EXPECT_EQ(static_cast<std::uint64_t>(stat_of(map).st_size), 256 * kPage);
}

}  // namespace
