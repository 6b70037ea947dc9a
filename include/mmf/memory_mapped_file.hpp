// mmf — memory-mapped files: persisted (backed by a file) and non-persisted (shared memory).
//
// A memory_mapped_file is a move-only handle on a map: a file, or a block of system shared memory,
// optionally with a name by which other processes open it. It does not map anything itself: call
// create_view_accessor() or create_view_stream() to map a range (any offset, any size) into this
// process. Views of the same map, in this process or in others, see each other's writes at once.
//
// Names: 1 to 200 bytes of valid UTF-8 without '/', '\' or NUL, not "." or "..", optionally after
// a "Local\" (the default) or "Global\" prefix. On POSIX a Local\ name is private to the current
// user; a Global\ name is machine-wide (still owner-only unless widened). "x" and "Local\x" are
// the same map, "Global\x" another. name() returns the name as given.
//
// Lifetime of a named non-persisted map (Windows semantics, on every platform): its memory and
// its name live while any handle or view of it is open in any process, and go away when the last
// one closes, also when every holder is killed (SIGKILL). A later open_existing() then fails with
// no_such_file_or_directory. On POSIX, liveness comes from kernel-held file locks on the object in
// the shared-memory directory (/dev/shm, or $MMF_SHM_DIR), never from process ids.
//
// Lifetime of views: closing a memory_mapped_file leaves its views valid; the mapping, the
// handles and the name go when the last of them is gone.
//
// Errors: every factory throws mmf::error; what() names the operation and the name or path, code()
// compares equal to the portable conditions listed in <mmf/error.hpp>. Each factory also has a
// noexcept overload taking std::error_code& last, which returns an empty object on failure.
// Arguments are validated before any system call, and a failure changes nothing: no file, object
// or mapping is left behind.
//
// Threads: const members, view creation included, may be called from several threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <system_error>

#include <mmf/access.hpp>
#include <mmf/config.hpp>
#include <mmf/export.hpp>
#include <mmf/view_accessor.hpp>
#include <mmf/view_stream.hpp>

namespace mmf {

class MMF_API memory_mapped_file {
 public:
  // int (a file descriptor) on POSIX, void* (a HANDLE) on Windows.
  using native_handle_type = detail::native_handle;

  // An empty handle: capacity() is 0, name() is empty, native_handle() is -1 (POSIX) / nullptr
  // (Windows); creating a view throws bad_file_descriptor.
  memory_mapped_file() noexcept = default;
  memory_mapped_file(memory_mapped_file&&) noexcept = default;
  memory_mapped_file& operator=(memory_mapped_file&&) noexcept = default;
  memory_mapped_file(const memory_mapped_file&) = delete;
  memory_mapped_file& operator=(const memory_mapped_file&) = delete;
  ~memory_mapped_file();

  explicit operator bool() const noexcept { return state_ != nullptr; }

  // ---- Persisted maps --------------------------------------------------------------------------

  // Maps the file at `path`. `mode` says whether the file must exist (open), must not
  // (create_new), is created or truncated (create) or either (open_or_create). `capacity` 0 means
  // the file's size; a larger capacity grows the file (sparsely); a smaller one is an error.
  // A non-empty `map_name` lets other processes open the map with open_existing() while this map
  // (or one of its views) is open. With access::read or read_execute the file is opened read-only.
  // Errors:
  //   invalid_argument           truncate/append, access::write, a bad name or enum value,
  //                              capacity 0 with a new or empty file, capacity < the file's size,
  //                              a read-only map with a capacity larger than the file
  //   no_such_file_or_directory  file_mode::open and the file is missing
  //   file_exists                file_mode::create_new and the file exists (checked before the
  //                              capacity); or map_name is already in use
  //   permission_denied          the file or its directory does not allow the access
  //   no_space_on_device / not_enough_memory   the file system cannot hold the capacity
  // A file this call created is removed again when the call fails.
  static memory_mapped_file create_from_file(const std::filesystem::path& path,
                                             file_mode mode = file_mode::open,
                                             std::string_view map_name = {},
                                             std::uint64_t capacity = 0,
                                             access acc = access::read_write);
  static memory_mapped_file create_from_file(const std::filesystem::path& path, file_mode mode,
                                             std::string_view map_name, std::uint64_t capacity,
                                             access acc, std::error_code& ec) noexcept;

  // Maps a file the caller already opened (a file descriptor on POSIX, a HANDLE on Windows).
  // With leave_open the caller keeps ownership; otherwise the map closes the handle when the map
  // and its last view are gone (and `inherit` is applied to it). On failure the handle is never
  // closed. Errors as above; permission_denied when the handle was opened without the access.
  static memory_mapped_file create_from_file(native_handle_type file, std::string_view map_name,
                                             std::uint64_t capacity, access acc,
                                             inheritability inherit, bool leave_open);
  static memory_mapped_file create_from_file(native_handle_type file, std::string_view map_name,
                                             std::uint64_t capacity, access acc,
                                             inheritability inherit, bool leave_open,
                                             std::error_code& ec) noexcept;

  // ---- Non-persisted maps (shared memory) ------------------------------------------------------

  // Creates a map of `capacity` bytes (zero-filled) in system shared memory. An empty `map_name`
  // makes an anonymous map (shareable only through inherited handles). The memory is reserved now
  // unless `options` has delay_allocate_pages. `acc` bounds every later opener of the name, in any
  // process and for any user, root included (as .NET's OpenedAccessibilityLimitedToOriginal): a
  // map created with access::read refuses read_write openers, and one created without execute
  // refuses *_execute openers, with permission_denied.
  // Errors: file_exists (the name is in use), invalid_argument (capacity 0, access::write, a bad
  // name or enum value), permission_denied, and, when the capacity cannot be reserved:
  //   not_enough_memory    more than memory plus swap can hold now (on Linux MemAvailable +
  //                        SwapFree, within a cgroup v2 memory.max; with huge_pages from
  //                        hugetlbfs, the free huge pages), or than the address space allows
  //   no_space_on_device   more than the shared-memory file system (/dev/shm) has free
  // A reservation that cannot be backed is refused before anything is reserved, fast and whatever
  // the capacity (1 << 62 included): it never drains the machine's memory into the OOM killer.
  // what() names the operation and the map and gives the figures, e.g.
  //   create_new "Big": reserving 17179869184 bytes of shared memory: only 8589934592 available
  //   in memory and swap (MemAvailable + SwapFree): Cannot allocate memory
  // Nothing is left behind. Figures the system does not give (no /proc) do not refuse: the
  // reservation is then simply tried. With delay_allocate_pages nothing is reserved or checked.
  static memory_mapped_file create_new(std::string_view map_name, std::uint64_t capacity,
                                       access acc = access::read_write,
                                       map_options options = map_options::none,
                                       inheritability inherit = inheritability::none);
  static memory_mapped_file create_new(std::string_view map_name, std::uint64_t capacity,
                                       access acc, map_options options, inheritability inherit,
                                       std::error_code& ec) noexcept;

  // Opens the map named `map_name` if it exists (with `acc`; capacity, still checked > 0, and
  // options are then ignored), or creates it as create_new() does. *created_new, when given, is
  // set to whether this call created it. Of several processes racing on one name exactly one
  // creates it, and none ever sees it half-made. Errors as create_new (but never file_exists;
  // the reservation is checked only when this call creates the map); permission_denied when
  // `acc` asks for more than the existing map's creator allowed.
  static memory_mapped_file create_or_open(std::string_view map_name, std::uint64_t capacity,
                                           access acc = access::read_write,
                                           map_options options = map_options::none,
                                           inheritability inherit = inheritability::none,
                                           bool* created_new = nullptr);
  static memory_mapped_file create_or_open(std::string_view map_name, std::uint64_t capacity,
                                           access acc, map_options options, inheritability inherit,
                                           std::error_code& ec) noexcept;
  static memory_mapped_file create_or_open(std::string_view map_name, std::uint64_t capacity,
                                           access acc, map_options options, inheritability inherit,
                                           bool* created_new, std::error_code& ec) noexcept;

  // Opens an existing named map (non-persisted, or persisted with a map name) with `desired`
  // access. Errors: no_such_file_or_directory (no live map of that name), permission_denied (more
  // access than the map's creator allowed, e.g. the default read_write on a map created with
  // access::read; another user's object), invalid_argument (bad name, access::write).
  static memory_mapped_file open_existing(std::string_view map_name,
                                          access desired = access::read_write,
                                          inheritability inherit = inheritability::none);
  static memory_mapped_file open_existing(std::string_view map_name, access desired,
                                          inheritability inherit, std::error_code& ec) noexcept;

  // ---- Views -----------------------------------------------------------------------------------

  // Maps [offset, offset + size) of the map; size 0 means to the end. Any offset is allowed: the
  // mapping starts at the allocation granularity below it (see pointer_offset()). A view at
  // offset == capacity() with size 0 is an empty view.
  // Errors: result_out_of_range (offset > capacity, or offset + size > capacity, overflow
  // included), permission_denied (more access than the map has: e.g. a write view of a read-only
  // map, or execute refused by the OS), invalid_argument (bad enum value), not_enough_memory (no
  // address space), bad_file_descriptor (empty map).
  view_accessor create_view_accessor(std::uint64_t offset = 0, std::uint64_t size = 0,
                                     access acc = access::read_write) const;
  view_accessor create_view_accessor(std::uint64_t offset, std::uint64_t size, access acc,
                                     std::error_code& ec) const noexcept;
  view_stream create_view_stream(std::uint64_t offset = 0, std::uint64_t size = 0,
                                 access acc = access::read_write) const;
  view_stream create_view_stream(std::uint64_t offset, std::uint64_t size, access acc,
                                 std::error_code& ec) const noexcept;

  // ---- Growth ----------------------------------------------------------------------------------

  // Grows the map to new_capacity (persisted: the file grows, sparsely, as when a map is created
  // larger than its file; non-persisted named or anonymous: the shared memory grows, reserved
  // under the same rule as create_new — refused before anything is reserved when it cannot be
  // backed — unless the map was created with delay_allocate_pages; a handle from open_existing
  // reserves). Existing views stay valid and keep their size; new views may reach the new end;
  // other processes see the new capacity on their next open_existing or refresh_capacity().
  // new_capacity == capacity() does nothing. The map never shrinks: if another process has grown
  // it further already, only this handle's capacity changes. Costs: one ftruncate (persisted,
  // lazy), or a posix_fallocate of the grown part; a named persisted map also rewrites its name
  // record. Concurrent growers of one named map are serialised (POSIX).
  // Errors:
  //   invalid_argument         new_capacity < capacity()
  //   permission_denied        the map was created or opened without write access (read,
  //                            copy_on_write, read_execute)
  //   no_space_on_device / not_enough_memory   the grown part cannot be backed
  //   operation_not_supported  Windows: a non-persisted map (a pagefile-backed section cannot
  //                            grow) or a named persisted map (its name is the old section's)
  //   bad_file_descriptor      empty map
  // A failure leaves the map's size as it was. Not to be called concurrently with other members
  // of this object.
  void grow(std::uint64_t new_capacity);
  void grow(std::uint64_t new_capacity, std::error_code& ec) noexcept;

  // Re-reads the current capacity of a named map (the size another process has grown it to, see
  // grow()), makes it this handle's capacity() and returns it. Anonymous and unnamed persisted
  // maps have nothing to re-read: their capacity() is returned. Never less than capacity().
  // Errors: bad_file_descriptor (empty map), invalid_argument (a damaged name record), or the
  // system's. Not to be called concurrently with other members of this object.
  std::uint64_t refresh_capacity();
  std::uint64_t refresh_capacity(std::error_code& ec) noexcept;

  // ---- Properties ------------------------------------------------------------------------------

  // The map's size in bytes: exactly the creator's capacity (on Windows an opened map may report
  // it rounded up to a page), or what grow() or refresh_capacity() last set. 0 for an empty
  // handle.
  std::uint64_t capacity() const;
  // The access the map was created or opened with. Throws bad_file_descriptor when empty.
  access map_access() const;
  // The name as given (empty for anonymous maps and for empty handles).
  std::string_view name() const noexcept;
  // The file descriptor (POSIX) or HANDLE (Windows) of the backing object: the file for
  // persisted maps, the shared-memory object otherwise. -1 / nullptr when empty.
  native_handle_type native_handle() const noexcept;

 private:
  explicit memory_mapped_file(std::shared_ptr<detail::map_state> state) noexcept
      : state_(std::move(state)) {}
  std::error_code make_view(std::uint64_t offset, std::uint64_t size, access acc,
                            detail::view_base& out) const noexcept;
  // make_view, throwing its failure as mmf::error with `operation` and the map's name.
  detail::view_base make_view_or_throw(std::uint64_t offset, std::uint64_t size, access acc,
                                       const char* operation) const;

  std::shared_ptr<detail::map_state> state_;
};

}  // namespace mmf
