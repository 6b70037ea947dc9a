#include "posix/syscalls.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

namespace mmf::detail::posix {

namespace {
// Wrappers give each entry one fixed signature whatever the C library's declarations look like
// (glibc redirects some of them to their 64-bit variants in 32-bit builds).
int real_posix_fallocate(int fd, off_t offset, off_t length) {
  return ::posix_fallocate(fd, offset, length);
}
int real_ftruncate(int fd, off_t length) {
  return ::ftruncate(fd, length);
}
void* real_mmap(void* address, std::size_t length, int prot, int flags, int fd, off_t offset) {
  return ::mmap(address, length, prot, flags, fd, offset);
}
int real_flock(int fd, int operation) {
  return ::flock(fd, operation);
}
int real_fstatvfs(int fd, struct statvfs* out) {
  return ::fstatvfs(fd, out);
}

// The first unsigned number in a small file ("max" or anything else: false).
bool read_number(const char* path, std::uint64_t& value) noexcept {
  std::FILE* f = std::fopen(path, "re");
  if (f == nullptr) return false;
  unsigned long long v = 0;
  const bool ok = std::fscanf(f, "%llu", &v) == 1;
  std::fclose(f);
  if (ok) value = v;
  return ok;
}

int real_memory(memory_figures* out) {
  std::FILE* f = std::fopen("/proc/meminfo", "re");
  if (f == nullptr) return errno != 0 ? errno : ENOENT;
  // Every figure in kB; -1: not seen.
  long long available = -1, swap_free = -1, huge_free = 0, huge_reserved = 0, huge_surplus = 0,
            huge_size = 0;
  char line[256];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    char key[64];
    long long value = 0;
    if (std::sscanf(line, "%63[^:]: %lld", key, &value) != 2) continue;
    if (std::strcmp(key, "MemAvailable") == 0)
      available = value;
    else if (std::strcmp(key, "SwapFree") == 0)
      swap_free = value;
    else if (std::strcmp(key, "HugePages_Free") == 0)
      huge_free = value;
    else if (std::strcmp(key, "HugePages_Rsvd") == 0)
      huge_reserved = value;
    else if (std::strcmp(key, "HugePages_Surp") == 0)
      huge_surplus = value;
    else if (std::strcmp(key, "Hugepagesize") == 0)
      huge_size = value;
  }
  std::fclose(f);
  if (available < 0) return ENOENT;  // before Linux 3.14 there is no reliable figure
  std::uint64_t bytes = static_cast<std::uint64_t>(available) * 1024;
  if (swap_free > 0) bytes += static_cast<std::uint64_t>(swap_free) * 1024;
  // A cgroup v2 limit on this process's group (as a container sees its own group there).
  std::uint64_t limit = 0, used = 0;
  if (read_number("/sys/fs/cgroup/memory.max", limit) &&
      read_number("/sys/fs/cgroup/memory.current", used))
    bytes = std::min(bytes, limit > used ? limit - used : 0);
  out->available = bytes;
  // Free pages nobody has reserved, and the surplus pages the kernel may still add to the pool
  // (vm.nr_overcommit_hugepages).
  long long pages = huge_free > huge_reserved ? huge_free - huge_reserved : 0;
  std::uint64_t overcommit = 0;
  if (read_number("/proc/sys/vm/nr_overcommit_hugepages", overcommit) &&
      static_cast<long long>(overcommit) > huge_surplus)
    pages += static_cast<long long>(overcommit) - huge_surplus;
  out->huge_pages_free =
      static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(huge_size) * 1024;
  return 0;
}

long real_futex_waitv(void* waiters, unsigned count, unsigned flags, const void* timeout,
                      int clockid) {
  // 449 in every architecture's table (the generic syscall number of futex_waitv).
  return ::syscall(449, waiters, count, flags, timeout, clockid);
}

constexpr syscall_table real_table{real_posix_fallocate, real_ftruncate, real_mmap,
                                   real_flock,           real_fstatvfs,  real_memory,
                                   real_futex_waitv};
syscall_table table = real_table;
}  // namespace

syscall_table& sys() noexcept {
  return table;
}
void reset_syscalls() noexcept {
  table = real_table;
}

}  // namespace mmf::detail::posix
