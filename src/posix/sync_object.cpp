// mmf — creating and mapping the POSIX named synchronisation objects (see sync_object.hpp).
#include "sync_object.hpp"

#include <fcntl.h>

#include "posix/reservation.hpp"
#include "posix/syscalls.hpp"

namespace mmf::detail::platform {

// posix_fallocate reserves the pages so a full tmpfs is an error now, not a SIGBUS later;
// ftruncate is the fallback where the file system cannot allocate (EOPNOTSUPP). Both go through
// the syscall seam, and the reservation through the rule every reservation follows.
std::error_code size_object(int fd, std::size_t size) noexcept {
  if (auto ec = posix::check_reservation(fd, size, posix::reservation_kind::memory,
                                         "a named synchronisation object"))
    return ec;
  int rc = 0;
  do {
    rc = posix::sys().posix_fallocate(fd, 0, static_cast<off_t>(size));
  } while (rc == EINTR);
  if (rc == 0) return {};
  if (rc != EOPNOTSUPP && rc != EINVAL) return sys_error(rc);
  do {
    rc = posix::sys().ftruncate(fd, static_cast<off_t>(size));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return sys_error(errno);
  return {};
}

void* map_object(int fd, std::size_t size) noexcept {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  return p == MAP_FAILED ? nullptr : p;
}

}  // namespace mmf::detail::platform
