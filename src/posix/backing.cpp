// mmf — the POSIX back end's sizing and reserving of the object behind a map, and the mappings
// placed for huge pages (contract in backing.hpp).
#include "posix/backing.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <limits>

#include "errors.hpp"
#include "posix/map_support.hpp"
#include "posix/syscalls.hpp"

namespace mmf::detail::platform {

// mmap() at an address congruent to `offset` modulo 2 MiB, so that the kernel can back the range
// with huge pages: a larger PROT_NONE range is reserved and the mapping placed inside it.
void* mmap_huge_aligned(std::size_t length, int prot, int flags, int fd, off_t offset) noexcept {
  const std::size_t slack = 2 * huge_page;
  if (length > std::numeric_limits<std::size_t>::max() - slack)
    return posix::sys().mmap(nullptr, length, prot, flags, fd, offset);
  void* reserve = ::mmap(nullptr, length + slack, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (reserve == MAP_FAILED) return posix::sys().mmap(nullptr, length, prot, flags, fd, offset);
  auto* r = static_cast<char*>(reserve);
  const auto start = reinterpret_cast<std::uintptr_t>(r);
  const auto aligned = (start + huge_page - 1) & ~(std::uintptr_t{huge_page} - 1);
  auto* want = reinterpret_cast<char*>(aligned + static_cast<std::uintptr_t>(offset) % huge_page);
  void* p = posix::sys().mmap(want, length, prot, flags | MAP_FIXED, fd, offset);
  if (p == MAP_FAILED) {
    const int e = errno;
    ::munmap(reserve, length + slack);
    errno = e;
    return MAP_FAILED;
  }
  // Give back the parts of the reservation before and after the mapping.
  if (want > r) ::munmap(r, static_cast<std::size_t>(want - r));
  char* tail = want + length;
  char* end = r + length + slack;
  if (end > tail) ::munmap(tail, static_cast<std::size_t>(end - tail));
  ::madvise(want, length, MADV_HUGEPAGE);  // a hint: refused quietly where unsupported
  return want;
}

namespace {

// With huge pages, posix_fallocate would allocate the object's memory as 4 KiB pages before any
// view exists, and a huge=advise tmpfs could never give huge pages afterwards. So reserve by
// touching through a huge-page mapping: MADV_POPULATE_WRITE allocates every page now, or fails
// (EFAULT: the tmpfs is full; ENOMEM) without any SIGBUS. Falls back to posix_fallocate where the
// kernel lacks MADV_POPULATE_WRITE (before 5.14) or the address space is too small.
std::error_code reserve_huge(int fd, std::uint64_t size, bool& done) noexcept {
  done = false;
  if (size > std::numeric_limits<std::size_t>::max() / 2) return {};
  int rc;
  do {
    rc = posix::sys().ftruncate(fd, static_cast<off_t>(size));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return space_error(errno);
  const auto length = static_cast<std::size_t>(size);
  void* p = mmap_huge_aligned(length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return {};
  rc = ::madvise(p, length, MADV_POPULATE_WRITE);
  const int e = errno;
  ::munmap(p, length);
  if (rc == 0) {
    done = true;
    return {};
  }
  if (e == EFAULT || e == ENOSPC) return make_errc(std::errc::no_space_on_device);
  if (e == ENOMEM) return make_errc(std::errc::not_enough_memory);
  return {};  // EINVAL (old kernel) and the like: let posix_fallocate do it
}

}  // namespace

// Reserves [0, size) of a shared-memory object so that a full tmpfs is ENOSPC now rather than a
// SIGBUS in whoever touches the page later (PostgreSQL's dsm_impl.c does the same); or, when lazy,
// only sets the size (a hole; pages come on first touch). A reservation that memory or the file
// system cannot back is refused before anything is reserved (check_reservation: the rule, and why).
// `huge`: transparent huge pages (reserve_huge); `kind` and `what` describe the object for the
// check.
std::error_code size_object(int fd, std::uint64_t size, bool lazy, bool huge,
                            posix::reservation_kind kind, const char* what) noexcept {
  if (size > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max()))
    return make_errc(std::errc::no_space_on_device);
  if (!lazy) {
    if (auto ec = posix::check_reservation(fd, size, kind, what)) return ec;
  }
  if (!lazy && huge) {
    bool done = false;
    if (auto ec = reserve_huge(fd, size, done)) return ec;
    if (done) return {};
  }
  if (!lazy) {
    int rc;
    do {
      rc = posix::sys().posix_fallocate(fd, 0, static_cast<off_t>(size));
    } while (rc == EINTR);
    if (rc == 0) return {};
    if (rc != EOPNOTSUPP && rc != EINVAL) return space_error(rc);
    // The file system cannot reserve: fall back to a plain size (documented as lazy there).
  }
  int rc;
  do {
    rc = posix::sys().ftruncate(fd, static_cast<off_t>(size));
  } while (rc != 0 && errno == EINTR);
  return rc == 0 ? std::error_code{} : space_error(errno);
}

}  // namespace mmf::detail::platform
