// mmf — access rights, file modes and options.
//
// These enumerations mirror .NET's MemoryMappedFileAccess, FileMode, MemoryMappedFileOptions and
// HandleInheritability. A value outside its enumerators is rejected with
// std::errc::invalid_argument by every function that takes it.
#pragma once

#include <cstdint>

namespace mmf {

// What a map or a view may do with its memory.
//   read_write          read and write; writes are shared with every other view and the file.
//   read                read only.
//   write               write only (views only: for a map it is invalid_argument, as in .NET);
//                       the view's can_read() is false and reading it is permission_denied.
//   copy_on_write       writes stay private to the view (MAP_PRIVATE / FILE_MAP_COPY).
//   read_execute        read, and the pages may be executed.
//   read_write_execute  read, write and execute.
enum class access : std::uint8_t {
  read_write,
  read,
  write,
  copy_on_write,
  read_execute,
  read_write_execute
};

// How create_from_file treats the file at `path`.
//   create_new      the file must not exist; it is created (capacity must be > 0).
//   create          the file is created, or truncated if it exists, then sized to the capacity.
//   open            the file must exist.
//   open_or_create  the file is opened if it exists, created otherwise.
//   truncate/append rejected with invalid_argument (as in .NET).
enum class file_mode : std::uint8_t { create_new, create, open, open_or_create, truncate, append };

// Options for non-persisted maps. A bitmask: combine with |.
//   none                  the memory is reserved when the map is created, so a full /dev/shm is
//                         no_space_on_device at creation and never a SIGBUS later; a capacity
//                         that memory plus swap cannot hold now is not_enough_memory, refused
//                         before reserving anything (see create_new).
//   delay_allocate_pages  skip the reservation: pages are allocated on first touch (as Windows'
//                         SEC_RESERVE). Creation is then flat in the size and the capacity is not
//                         checked against free memory or space (any capacity is accepted), but if
//                         the backing file system or memory runs out later, touching a new page
//                         raises SIGBUS on POSIX (or wakes the OOM killer).
//   populate              prefault: every view of the map is populated with pages when it is
//                         created (Linux: MADV_POPULATE_WRITE / _READ), so first touches do not
//                         fault one page at a time. Costs the time up front; best for views that
//                         will be touched entirely. Ignored where the OS cannot do it.
//   huge_pages            ask for huge pages (2 MiB on x86-64) where the system allows it: views
//                         of 2 MiB or more are placed at 2 MiB-aligned addresses and advised
//                         MADV_HUGEPAGE; anonymous maps try MFD_HUGETLB first. Whether the kernel
//                         grants them depends on its settings (transparent_hugepage/shmem_enabled,
//                         the tmpfs huge= mount option, vm.nr_hugepages); otherwise normal pages.
enum class map_options : std::uint32_t {
  none = 0,
  delay_allocate_pages = 1u << 0,
  populate = 1u << 1,
  huge_pages = 1u << 2,
};

constexpr map_options operator|(map_options a, map_options b) noexcept {
  return static_cast<map_options>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
constexpr map_options operator&(map_options a, map_options b) noexcept {
  return static_cast<map_options>(static_cast<std::uint32_t>(a) & static_cast<std::uint32_t>(b));
}
constexpr map_options operator^(map_options a, map_options b) noexcept {
  return static_cast<map_options>(static_cast<std::uint32_t>(a) ^ static_cast<std::uint32_t>(b));
}
constexpr map_options operator~(map_options a) noexcept {
  return static_cast<map_options>(~static_cast<std::uint32_t>(a));
}
constexpr map_options& operator|=(map_options& a, map_options b) noexcept {
  return a = a | b;
}
constexpr map_options& operator&=(map_options& a, map_options b) noexcept {
  return a = a & b;
}
constexpr map_options& operator^=(map_options& a, map_options b) noexcept {
  return a = a ^ b;
}
// True when any bit of `flag` is set in `set`.
constexpr bool has_option(map_options set, map_options flag) noexcept {
  return (static_cast<std::uint32_t>(set) & static_cast<std::uint32_t>(flag)) != 0;
}

// Whether the native handles of a map survive exec() (POSIX: no FD_CLOEXEC) or are inherited by
// child processes (Windows: bInheritHandle). By default they are not.
enum class inheritability : std::uint8_t { none, inheritable };

}  // namespace mmf
