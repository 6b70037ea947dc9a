// mmf — sizing and reserving the object behind a map (a file, a memfd, a named shared-memory
// object), and placing mappings where huge pages can back them. Used by the sections and views
// (map.cpp) and by resize_file (file.cpp).
//
// Contract:
// - size_object reserves [0, size) so that a full tmpfs or file system is ENOSPC now rather than
//   a SIGBUS in whoever touches the page later; or, when lazy, only sets the size (a hole; pages
//   come on first touch). A reservation that memory or the file system cannot back is refused
//   before anything is reserved (check_reservation, reservation.hpp). Where the file system cannot
//   reserve at all, the object is only sized (as when lazy). Errors: no_space_on_device,
//   not_enough_memory, permission_denied (space_error, map_support.hpp), or the system's code.
// - With `huge`, the reservation touches every page through a huge-page mapping, so that a
//   huge=advise tmpfs can back the object with huge pages; where that cannot be done (no
//   MADV_POPULATE_WRITE before Linux 5.14, too little address space) it falls back to
//   posix_fallocate.
// - mmap_huge_aligned is mmap() at an address congruent to the offset modulo huge_page, the
//   range advised MADV_HUGEPAGE (a hint, refused quietly where unsupported); it returns MAP_FAILED
//   with errno set as mmap() does.
// - The calls whose failures tests inject (ftruncate, posix_fallocate, mmap) go through the
//   syscall seam (syscalls.hpp).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <system_error>

#include "posix/reservation.hpp"

namespace mmf::detail::platform {

constexpr std::size_t huge_page = std::size_t{2} << 20;

// mmap() at an address congruent to `offset` modulo 2 MiB, so that the kernel can back the range
// with huge pages: a larger PROT_NONE range is reserved and the mapping placed inside it.
void* mmap_huge_aligned(std::size_t length, int prot, int flags, int fd, off_t offset) noexcept;

// Reserves [0, size) of the object open on `fd`, or only sizes it when `lazy` (see above).
// `huge`: transparent huge pages; `kind` and `what` describe the object for check_reservation.
std::error_code size_object(int fd, std::uint64_t size, bool lazy, bool huge = false,
                            posix::reservation_kind kind = posix::reservation_kind::memory,
                            const char* what = "shared memory") noexcept;

}  // namespace mmf::detail::platform
