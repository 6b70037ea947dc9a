// mmf — the POSIX back end's seam for injecting OS failures in tests (as SQLite's syscall table
// and fmt's FMT_SYSTEM): the calls whose failures matter most go through this table, which tests
// may temporarily repoint (e.g. posix_fallocate returning ENOSPC, or EINTR once). Not thread-safe
// to modify while other threads use the library; production code never modifies it.
#pragma once

#include <sys/statvfs.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace mmf::detail::posix {

// What memory could back a reservation now (see reservation.hpp), in bytes.
struct memory_figures {
  // MemAvailable + SwapFree from /proc/meminfo, capped by what a cgroup v2 memory.max leaves
  // (memory.max - memory.current at /sys/fs/cgroup) when there is such a limit.
  std::uint64_t available = 0;
  // Huge pages of the default size a hugetlbfs object can still reserve, in bytes: the free ones
  // nobody has reserved (HugePages_Free - HugePages_Rsvd) and the surplus ones the kernel may still
  // add (vm.nr_overcommit_hugepages - HugePages_Surp), times Hugepagesize.
  std::uint64_t huge_pages_free = 0;
};

struct syscall_table {
  int (*posix_fallocate)(int fd, off_t offset, off_t length);  // returns an errno value
  int (*ftruncate)(int fd, off_t length);
  void* (*mmap)(void* address, std::size_t length, int prot, int flags, int fd, off_t offset);
  int (*flock)(int fd, int operation);
  int (*fstatvfs)(int fd, struct statvfs* out);  // 0, or -1 with errno set
  // Fills *out from /proc/meminfo (and the cgroup limit); returns 0, or an errno value when the
  // figures cannot be read (no /proc): callers then reserve without checking.
  int (*memory)(memory_figures* out);
  // futex_waitv(2) (Linux 5.16+): `waiters` is an array of `count` struct futex_waitv, `timeout`
  // an absolute struct __kernel_timespec on `clockid` or nullptr. Returns the index of a woken
  // futex, or -1 with errno set (ENOSYS on older kernels).
  long (*futex_waitv)(void* waiters, unsigned count, unsigned flags, const void* timeout,
                      int clockid);
};

syscall_table& sys() noexcept;
// Restores the real system calls.
void reset_syscalls() noexcept;

}  // namespace mmf::detail::posix
