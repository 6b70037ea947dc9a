// mmf — reservation of shared memory on POSIX (issue 3, point 3): a full tmpfs is
// no_space_on_device at creation, never a SIGBUS later, and leaves nothing behind; EINTR from
// posix_fallocate is retried; delay_allocate_pages does not reserve (documented lazy). Through
// the syscall seam always; with a real 8 MiB tmpfs when running as root.
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64  // as the library: the syscall seam's off_t must match
#endif

#include <gtest/gtest.h>

#include "reliability/scenarios.hpp"
#include "support/error_assertions.hpp"

namespace {

using mmf::access;
using mmf::inheritability;
using mmf::map_options;
using mmf::memory_mapped_file;
using mmf::detail::posix::sys;

int fallocate_calls = 0;
int ftruncate_calls = 0;
int (*real_fallocate)(int, off_t, off_t) = nullptr;

int enospc(int, off_t, off_t) {
  ++fallocate_calls;
  return ENOSPC;
}
int eintr_once(int fd, off_t offset, off_t length) {
  if (++fallocate_calls == 1) return EINTR;
  return real_fallocate(fd, offset, length);
}
int eintr_twice_then_enospc(int, off_t, off_t) {
  return ++fallocate_calls <= 2 ? EINTR : ENOSPC;
}
int counting_fallocate(int fd, off_t offset, off_t length) {
  ++fallocate_calls;
  return real_fallocate(fd, offset, length);
}
int (*real_ftruncate)(int, off_t) = nullptr;
int counting_ftruncate(int fd, off_t length) {
  ++ftruncate_calls;
  return real_ftruncate(fd, length);
}

class Reservation : public ::testing::Test {
 protected:
  void SetUp() override {
    mmf::detail::posix::reset_syscalls();
    real_fallocate = sys().posix_fallocate;
    real_ftruncate = sys().ftruncate;
    fallocate_calls = 0;
    ftruncate_calls = 0;
  }
  mmf_rel::private_shm_dir dir_;
  mmf_rel::syscall_guard restore_;
};

TEST_F(Reservation, InjectedEnospcIsNoSpaceOnDeviceAndLeavesNothing) {
  sys().posix_fallocate = enospc;
  const std::string name = mmf_test::unique_name("rel_enospc");
  EXPECT_MMF_ERROR(memory_mapped_file::create_new(name, 1 << 20), std::errc::no_space_on_device);
  EXPECT_MMF_ERROR(memory_mapped_file::create_or_open(name, 1 << 20),
                   std::errc::no_space_on_device);
  EXPECT_MMF_ERROR(memory_mapped_file::create_new("", 1 << 20), std::errc::no_space_on_device);
  std::error_code ec;
  auto map = memory_mapped_file::create_new(name, 4096, access::read_write, map_options::none,
                                            inheritability::none, ec);
  EXPECT_EQ(ec, std::errc::no_space_on_device);
  EXPECT_FALSE(map);
  EXPECT_EQ(fallocate_calls, 4);
  EXPECT_TRUE(mmf_rel::entries(dir_.path()).empty()) << "nothing left in the shm directory";
  mmf::detail::posix::reset_syscalls();
  EXPECT_MMF_ERROR(memory_mapped_file::open_existing(name), std::errc::no_such_file_or_directory);
  // The name is free: a creation now succeeds.
  EXPECT_EQ(memory_mapped_file::create_new(name, 4096).capacity(), 4096u);
}

TEST_F(Reservation, InjectedEintrOnceIsRetriedAndSucceeds) {
  sys().posix_fallocate = eintr_once;
  bool created = false;
  auto map = memory_mapped_file::create_or_open(mmf_test::unique_name("rel_eintr"), 3 * 4096 + 1,
                                                access::read_write, map_options::none,
                                                inheritability::none, &created);
  EXPECT_TRUE(created);
  EXPECT_EQ(map.capacity(), 3u * 4096 + 1);
  EXPECT_EQ(fallocate_calls, 2) << "EINTR once, then the real call";
  auto view = map.create_view_accessor();
  view.write<std::uint64_t>(3 * 4096 - 7, 9);
  EXPECT_EQ(view.read<std::uint64_t>(3 * 4096 - 7), 9u);
}

TEST_F(Reservation, EintrThenEnospcIsStillNoSpaceOnDevice) {
  sys().posix_fallocate = eintr_twice_then_enospc;
  EXPECT_MMF_ERROR(memory_mapped_file::create_new(mmf_test::unique_name("rel_eintr2"), 4096),
                   std::errc::no_space_on_device);
  EXPECT_EQ(fallocate_calls, 3);
  EXPECT_TRUE(mmf_rel::entries(dir_.path()).empty());
}

TEST_F(Reservation, DefaultReservesWithFallocate) {
  sys().posix_fallocate = counting_fallocate;
  auto map = memory_mapped_file::create_new(mmf_test::unique_name("rel_res"), 1 << 20);
  EXPECT_EQ(fallocate_calls, 1);
}

TEST_F(Reservation, DelayAllocatePagesDoesNotReserve) {
  sys().posix_fallocate = enospc;  // would fail if it were called
  sys().ftruncate = counting_ftruncate;
  auto map = memory_mapped_file::create_new(mmf_test::unique_name("rel_lazy"), 1 << 20,
                                            access::read_write, map_options::delay_allocate_pages);
  EXPECT_EQ(map.capacity(), 1u << 20);
  EXPECT_EQ(fallocate_calls, 0);
  EXPECT_EQ(ftruncate_calls, 1) << "only the size is set: a hole, pages come on first touch";
}

TEST(ReservationTmpfs, FullTmpfsIsNoSpaceAtCreationNoSigbusNoLeftovers) {
  const auto r = mmf_rel::run_tmpfs_full();
  if (!r.ran) {
    mmf_rel::loud_skip("tmpfs-full test: " + r.why_not +
                       " (the syscall-seam tests above still prove the error path)");
    GTEST_SKIP() << r.why_not;
  }
  EXPECT_EQ(r.wrong, 0u) << r.problem;
  EXPECT_EQ(r.sigbus, 0u) << r.problem;
  EXPECT_EQ(r.leftovers, 0u);
  EXPECT_NE(r.lazy_touch_status, 0)
      << "delay_allocate_pages is lazy: touching more than the tmpfs holds must fail (SIGBUS)";
}

}  // namespace
