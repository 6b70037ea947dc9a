#include "posix/syscalls.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

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

constexpr syscall_table real_table{real_posix_fallocate, real_ftruncate, real_mmap, real_flock};
syscall_table table = real_table;
}  // namespace

syscall_table& sys() noexcept {
  return table;
}
void reset_syscalls() noexcept {
  table = real_table;
}

}  // namespace mmf::detail::posix
