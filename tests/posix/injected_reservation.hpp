// mmf tests — what the reservation tests of creation (reservation_test.cpp) and of growth
// (grow_test.cpp) inject through the syscall seam: a counting or refusing posix_fallocate, and the
// figures of what memory and the file system can back; and the fixture that resets them, with a
// private shared-memory directory and the real syscalls restored afterwards.
#pragma once

#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64  // as the library: the syscall seam's off_t must match
#endif

#include <sys/statvfs.h>

#include <cerrno>
#include <cstdint>

#include <gtest/gtest.h>

#include "reliability/scenarios.hpp"

namespace mmf_inject {

inline int fallocate_calls = 0;
inline int (*real_fallocate)(int, off_t, off_t) = nullptr;

inline int counting_fallocate(int fd, off_t offset, off_t length) {
  ++fallocate_calls;
  return real_fallocate(fd, offset, length);
}
// ENOSPC without reserving: where a test expects no reservation, or a full file system.
inline int enospc(int, off_t, off_t) {
  ++fallocate_calls;
  return ENOSPC;
}

// Injected figures: what memory and the file system can back.
inline std::uint64_t injected_memory = 0;
inline std::uint64_t injected_fs_free = 0;
inline int small_memory(mmf::detail::posix::memory_figures* out) {
  out->available = injected_memory;
  out->huge_pages_free = 0;
  return 0;
}
inline int small_file_system(int, struct statvfs* out) {
  *out = {};
  out->f_bsize = out->f_frsize = 4096;
  out->f_blocks = 1u << 20;
  out->f_bfree = out->f_bavail = injected_fs_free / 4096;
  return 0;
}

// A test with the real syscalls, zeroed counts and figures, and a shared-memory directory of its
// own; the syscalls are restored when it ends.
class injected_reservation_test : public ::testing::Test {
 protected:
  void SetUp() override {
    mmf::detail::posix::reset_syscalls();
    real_fallocate = mmf::detail::posix::sys().posix_fallocate;
    fallocate_calls = 0;
    injected_memory = 0;
    injected_fs_free = 0;
  }
  mmf_rel::private_shm_dir dir_;
  mmf_rel::syscall_guard restore_;
};

}  // namespace mmf_inject
