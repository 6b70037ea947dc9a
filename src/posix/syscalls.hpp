// mmf — the POSIX back end's seam for injecting OS failures in tests (as SQLite's syscall table
// and fmt's FMT_SYSTEM): the calls whose failures matter most go through this table, which tests
// may temporarily repoint (e.g. posix_fallocate returning ENOSPC, or EINTR once). Not thread-safe
// to modify while other threads use the library; production code never modifies it.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace mmf::detail::posix {

struct syscall_table {
  int (*posix_fallocate)(int fd, off_t offset, off_t length);  // returns an errno value
  int (*ftruncate)(int fd, off_t length);
  void* (*mmap)(void* address, std::size_t length, int prot, int flags, int fd, off_t offset);
  int (*flock)(int fd, int operation);
};

syscall_table& sys() noexcept;
// Restores the real system calls.
void reset_syscalls() noexcept;

}  // namespace mmf::detail::posix
