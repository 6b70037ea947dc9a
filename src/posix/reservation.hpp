// mmf — the one rule for reserving the pages of an object (named or anonymous shared memory,
// huge pages, the named synchronisation objects, and whatever grows an object later): a
// reservation that cannot be backed is refused before anything is reserved.
//
// Without the check, posix_fallocate on a memfd (no size limit) or on a /dev/shm as large as RAM
// allocates page by page until the machine runs out of memory, and the kernel's OOM killer starts
// killing processes. The rule:
// - memory-backed objects (memfd, tmpfs): the bytes still to reserve must fit in what memory plus
//   swap can hold now (MemAvailable + SwapFree, capped by a cgroup v2 memory.max - memory.current)
//   — else not_enough_memory — and in what the file system has free (f_bavail * f_frsize, when it
//   has a size limit at all) — else no_space_on_device;
// - hugetlbfs objects: in the free, unreserved huge pages ((HugePages_Free - HugePages_Rsvd) *
//   Hugepagesize) — else not_enough_memory — and in a size-limited mount's free space;
// - file-system objects: in the file system's free space — else no_space_on_device.
// Figures that cannot be read (no /proc) do not refuse: the reservation is simply tried. The
// figures come through the syscall seam (syscalls.hpp), so tests inject them. MemAvailable is the
// kernel's estimate, so a reservation that passes may still fail in posix_fallocate (ENOSPC or
// ENOMEM, reported as such); the check only keeps the hopeless ones from draining the machine.
// map_options::delay_allocate_pages reserves nothing and so checks nothing.
#pragma once

#include <cstdint>
#include <system_error>

namespace mmf::detail::posix {

enum class reservation_kind {
  memory,      // memfd or tmpfs (including transparent huge pages on them)
  huge_pages,  // hugetlbfs (memfd_create with MFD_HUGETLB)
  file,        // a file system on a device
};

// Checks that the object open on `fd` can have [0, size) reserved: what it already holds
// (st_blocks) is not asked again, so a growing object passes its new size. `what` describes the
// object for the error's detail ("shared memory", "anonymous shared memory", "named mutex").
// On refusal, notes the figures (note_error_detail) and returns not_enough_memory or
// no_space_on_device; otherwise an empty code.
std::error_code check_reservation(int fd, std::uint64_t size, reservation_kind kind,
                                  const char* what) noexcept;

}  // namespace mmf::detail::posix
