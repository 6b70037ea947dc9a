// mmf — the one seam between the portable core and each operating system.
//
// Contract (read this before implementing a back end):
// - Each back end is a folder of .cpp files (src/posix/, src/windows/) that implements every
//   function declared here; CMake compiles exactly one folder. Portable code never includes an
//   operating-system header; it calls these functions.
// - Functions return std::error_code: {} on success, otherwise the native error (errno or
//   GetLastError()) in std::system_category(), or a std::errc value in std::generic_category()
//   where the back end detects the condition itself. The portable core adds the operation and the
//   name or path and throws mmf::error. Back ends never throw and never abort.
// - Arguments arrive validated: names parsed (object_name), enum values in range, offsets aligned
//   to allocation_granularity(), lengths non-zero and fitting in size_t, offset + length checked
//   against the capacity. A back end checks only what needs the OS.
// - A failing function leaves nothing behind (no handle, no mapping, no object, no name).
// - Out-parameters are written only on success.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <system_error>
#include <vector>

#include <mmf/access.hpp>
#include <mmf/config.hpp>
#include <mmf/named_event.hpp>
#include <mmf/named_mutex.hpp>
#include <mmf/objects.hpp>
#include <mmf/view_accessor.hpp>

namespace mmf::detail {

enum class scope : std::uint8_t { local, global };

// A validated object name (see names.cpp): `bare` is the name without its scope prefix
// ("Local\" or "Global\"), 1 to 200 bytes of valid UTF-8 without a slash, a backslash or NUL,
// and not "." or "..".
struct object_name {
  scope where = scope::local;
  std::string_view bare;
};

}  // namespace mmf::detail

namespace mmf::detail::platform {

using detail::native_handle;

// ---- System
// --------------------------------------------------------------------------------------

std::size_t page_size() noexcept;
std::size_t allocation_granularity() noexcept;

// ---- Files (persisted maps)
// ----------------------------------------------------------------------

// Opens or creates the file at `path` as `mode` says (create_new, create, open or open_or_create;
// `create` truncates an existing file). The file is opened for reading, and for writing when
// `writable`. Sets `created` to whether this call created the file. New files get the default
// permissions (0666 less the umask on POSIX).
std::error_code open_file(const std::filesystem::path& path, file_mode mode, bool writable,
                          inheritability inherit, native_handle& out, bool& created) noexcept;
// Whether `path` names an existing file (no error when it does not).
std::error_code file_exists(const std::filesystem::path& path, bool& exists) noexcept;
std::error_code file_size(native_handle file, std::uint64_t& size) noexcept;
// Grows (sparsely, where the file system allows) or shrinks the file to `size` bytes.
std::error_code resize_file(native_handle file, std::uint64_t size) noexcept;
// What a caller-opened handle allows.
std::error_code handle_access(native_handle file, bool& readable, bool& writable) noexcept;
std::error_code set_inheritable(native_handle handle, bool inheritable) noexcept;
void close_handle(native_handle handle) noexcept;
void remove_file(const std::filesystem::path& path) noexcept;

// ---- Sections: the kernel side of a memory_mapped_file
// --------------------------------------------

// What a memory_mapped_file holds: the backing object's handles and, for a named map, its hold on
// the name (which keeps the object alive for other processes). Destroying it releases the name
// (removing it if this was the last holder) and closes the handles it owns.
struct section;
struct section_deleter {
  void operator()(section* s) const noexcept;
};
using section_ptr = std::unique_ptr<section, section_deleter>;

// A persisted map over `file`. The section owns `file` when own_file is true (only on success:
// on failure the caller keeps it). With a name, the map is published under it (file_exists if the
// name is in use) so that section_named(open_existing) in another process finds it; `path` is the
// file's path when known (nullptr for a caller-opened handle). `capacity` is already settled.
std::error_code section_from_file(native_handle file, bool own_file, const object_name* name,
                                  const std::filesystem::path* path, std::uint64_t capacity,
                                  access acc, inheritability inherit, section_ptr& out) noexcept;

enum class disposition : std::uint8_t { create_new, create_or_open, open_existing };

struct section_request {
  const object_name* name = nullptr;  // nullptr: anonymous (create_new only)
  std::uint64_t capacity = 0;         // > 0; ignored when an existing map is opened
  access acc = access::read_write;    // never access::write
  map_options options = map_options::none;
  inheritability inherit = inheritability::none;
};

// Creates and/or opens a non-persisted map (or, with open_existing, a named persisted one).
// Of several processes racing create_or_open on one name exactly one creates; nobody ever sees a
// half-initialised object. On success sets `created`, `capacity` (the creator's exact capacity)
// and `persisted` (true when open_existing found a persisted map).
std::error_code section_named(disposition how, const section_request& request, section_ptr& out,
                              bool& created, std::uint64_t& capacity, bool& persisted) noexcept;

// The handle exposed by memory_mapped_file::native_handle().
native_handle section_handle(const section& s) noexcept;

// Grows the section from `old_capacity` (the map's capacity in this process) to `capacity`
// (> old_capacity, checked by the core, as is that the map was created or opened writable).
// Persisted: the file grows (sparsely, as when a persisted map is created larger than its file)
// and a named map's published capacity is raised. Non-persisted: the object grows, reserved
// through the same check and reservation as at creation unless the section was made with
// delay_allocate_pages. The object never shrinks: when another process has grown it further
// already, this only checks that it holds `capacity`. Existing views stay valid. Errors:
// no_space_on_device / not_enough_memory (the grown part cannot be backed; refused before it is
// reserved), operation_not_supported (a kind of map the OS cannot grow), permission_denied.
// A failure leaves the object's size as it was.
std::error_code grow_section(section& s, std::uint64_t old_capacity,
                             std::uint64_t capacity) noexcept;
// The capacity of the section as a process opening it now would find it (named maps: the current
// size of the object or the published capacity of a persisted map; otherwise `known`, the map's
// capacity in this process). Never less than `known`.
std::error_code section_capacity(const section& s, std::uint64_t known,
                                 std::uint64_t& capacity) noexcept;

// ---- Views
// -----------------------------------------------------------------------------------------

// Maps [offset, offset + length) of the section with `view_acc` (already checked against the
// map's access). `offset` is a multiple of allocation_granularity().
std::error_code map_view(const section& s, std::uint64_t offset, std::size_t length,
                         access view_acc, void*& base) noexcept;
void unmap_view(void* base, std::size_t length) noexcept;
// Writes the dirty pages of [base, base + length) of a view to the backing file and waits (a no-op
// for non-persisted maps). `base` is the view's mapping or, for a range, a page-aligned address
// inside it; [base, base + length) ends inside the mapping.
std::error_code flush_view(const section& s, void* base, std::size_t length) noexcept;

// Page control (view_accessor::flush_async, advise, lock_in_memory, unlock_from_memory). For each:
// `base` is page-aligned and inside one view's mapping, length > 0, [base, base + length) ends
// inside that mapping; the core has checked the range and the advice value, and calls the flushes
// only for file-backed (persisted, not copy-on-write) views. Nothing changes on failure.
//
// Starts writing the range's dirty pages to the backing file without waiting. `file_offset` is the
// map offset of `base`.
std::error_code flush_view_async(const section& s, void* base, std::size_t length,
                                 std::uint64_t file_offset) noexcept;
// A usage hint for the range of a view mapped with `view_acc`. Never loses data, never changes
// what any view reads: advice::dont_need on a copy-on-write view (whose private pages exist
// nowhere else) is a reclaim hint at most. A hint the OS cannot take is not an error.
std::error_code advise_view(void* base, std::size_t length, access view_acc, advice a) noexcept;
// Locks the range in physical memory; not_enough_memory past the process's limit.
std::error_code lock_view(void* base, std::size_t length) noexcept;
// Unlocks the range; pages that were not locked are not an error.
std::error_code unlock_view(void* base, std::size_t length) noexcept;

// Guarded copy (view_accessor::copy_to / copy_from): copies n > 0 bytes from `from` to `to`, where
// [view, view + n) is the side inside a view (`from` for copy_to, `to` for copy_from). A fault on a
// vanished page of that side (SIGBUS; EXCEPTION_IN_PAGE_ERROR) stops the copy with io_error and
// returns the bytes copied before the first vanished page, all of them copied; otherwise returns n
// with no error. Thread-safe; faults outside a guarded copy reach the program's own handling.
std::size_t guarded_copy(void* to, const void* from, std::size_t n, const void* view,
                         std::error_code& ec) noexcept;

// ---- Named synchronisation objects
// ---------------------------------------------------------------- Each back end defines these
// objects (POSIX: a robust mutex or futex words in a named shared object; Windows: a kernel mutex,
// event or semaphore). Same name, lifetime, creation and security rules as named maps. `timeout` is
// nanoseconds::max() for "forever"; timed waits use a monotonic clock and never return early.

struct mutex_object;
struct event_object;
struct semaphore_object;
struct sync_deleter {
  void operator()(mutex_object* m) const noexcept;
  void operator()(event_object* e) const noexcept;
  void operator()(semaphore_object* s) const noexcept;
};
using mutex_ptr = std::unique_ptr<mutex_object, sync_deleter>;
using event_ptr = std::unique_ptr<event_object, sync_deleter>;
using semaphore_ptr = std::unique_ptr<semaphore_object, sync_deleter>;

// how is create_or_open or open_existing. initially_owned applies only when this call creates it.
std::error_code mutex_open(disposition how, const object_name& name, bool initially_owned,
                           mutex_ptr& out, bool& created) noexcept;
// Recursive for the owning thread. `status` is acquired, abandoned (the previous owner died or
// abandoned it; the caller now owns it) or timed_out.
std::error_code mutex_acquire(mutex_object& m, std::chrono::nanoseconds timeout,
                              lock_status& status) noexcept;
// operation_not_permitted when the calling thread does not own it.
std::error_code mutex_release(mutex_object& m) noexcept;
// Called when a named_mutex object is destroyed: if the calling thread owns the mutex, it is
// released as abandoned (the next acquirer gets lock_status::abandoned).
void mutex_abandon_if_owned(mutex_object& m) noexcept;
// Whether the calling thread owns `m` and that ownership began with an acquisition that reported
// lock_status::abandoned (recursive levels keep it; the release of the last level clears it).
bool mutex_owned_after_abandonment(const mutex_object& m) noexcept;

std::error_code event_open(disposition how, const object_name& name, event_reset mode,
                           bool initially_set, event_ptr& out, bool& created) noexcept;
std::error_code event_set(event_object& e) noexcept;
std::error_code event_clear(event_object& e) noexcept;  // reset()
std::error_code event_wait(event_object& e, std::chrono::nanoseconds timeout,
                           bool& signaled) noexcept;

// initial_count <= maximum_count, maximum_count > 0 (checked by the core).
std::error_code semaphore_open(disposition how, const object_name& name,
                               std::uint32_t initial_count, std::uint32_t maximum_count,
                               semaphore_ptr& out, bool& created) noexcept;
// count > 0. value_too_large (count unchanged) when the maximum would be passed.
std::error_code semaphore_release(semaphore_object& s, std::uint32_t count,
                                  std::uint32_t& previous) noexcept;
std::error_code semaphore_acquire(semaphore_object& s, std::chrono::nanoseconds timeout,
                                  bool& acquired) noexcept;

// ---- Waiting for several objects (wait_any / wait_all, see <mmf/wait.hpp>)
// -----------------------------------------------------------

// One object to wait for: exactly one of the three is set.
struct wait_target {
  mutex_object* mutex = nullptr;
  event_object* event = nullptr;
  semaphore_object* semaphore = nullptr;
};

// 1 to 64 targets (for `all`, no object twice), checked by the core. all == false: waits until one
// target is signalled and takes it (locks the mutex, one count of the semaphore, the signal of an
// automatic event; a manual event is only observed), the lowest index first; sets `index` and
// `abandoned` (a mutex taken over from a dead or destroying owner). all == true: waits until all
// are signalled and takes every one, or none. `timed_out` is set when `timeout` passed first
// (nothing taken). On an error nothing is taken. Timeouts as for the single waits above.
std::error_code wait_many(const wait_target* targets, std::size_t count, bool all,
                          std::chrono::nanoseconds timeout, std::size_t& index, bool& abandoned,
                          bool& timed_out) noexcept;

// ---- Message queues (see src/queue_ring.hpp: the layout and the ring; src/message_queue.cpp)
// ---------------------------------------------------------------------------------------------
// A queue is one named shared object (same name, lifetime, creation and security rules as named
// maps; on POSIX its own kind, mmf.<scope>.queue.<name>). The back end creates or opens and maps
// it, tells whether the holder of a participant index is alive, and sleeps and wakes on the
// queue's wake-up words. The ring itself is portable.

struct queue_object;
struct queue_deleter {
  void operator()(queue_object* q) const noexcept;
};
using queue_ptr = std::unique_ptr<queue_object, queue_deleter>;

// One entry of the queue's participant table (wire layout, 16 bytes). `generation` is the
// portable core's; `process` and `started` are the back end's to use (Windows: the holder's
// process id and creation time; POSIX: unused, liveness is a lock on the entry's first byte).
struct queue_participant {
  std::atomic<std::uint32_t> generation;
  std::atomic<std::uint32_t> process;
  std::atomic<std::uint64_t> started;
};
static_assert(sizeof(queue_participant) == 16);

// A wake-up word (wire layout, 16 bytes): `sequence` changes whenever what its waiters wait for
// may have changed; `waiters` counts the threads (of any process) asleep or about to sleep on it,
// so that a signaller with nobody waiting makes no system call.
struct queue_wait_word {
  std::atomic<std::uint32_t> sequence;
  std::atomic<std::uint32_t> waiters;
  std::atomic<std::uint32_t> signaller_cpu;  // POSIX: the last waker's CPU, for the spinner
  std::uint32_t id;                          // 0: "not empty", 1: "not full"
};
static_assert(sizeof(queue_wait_word) == 16);

struct queue_request {
  const object_name* name = nullptr;
  std::uint64_t size = 0;  // bytes of a new queue; ignored when an existing one is opened
  // Fills a new queue (zeroed, mapped, not yet visible to anybody) at `base`.
  void (*init)(void* base, const void* context) noexcept = nullptr;
  const void* context = nullptr;
  // Checks an existing queue of `size` bytes before it is handed out, from its header (`base`
  // holds at least the first 256 bytes): invalid_argument for a corrupt or foreign object.
  std::error_code (*validate)(const void* base, std::uint64_t size) noexcept = nullptr;
};

// Creates and/or opens the queue as `how` says (create_new, create_or_open, open_existing).
// Of several processes racing create_or_open exactly one creates; nobody sees a half-made queue.
// On success sets `base` (the mapping, valid while the queue_object lives), `size` and `created`.
// Errors: as named maps (file_exists, no_such_file_or_directory, permission_denied,
// not_enough_memory / no_space_on_device from the reservation), or what validate returns.
std::error_code queue_open(disposition how, const queue_request& request, queue_ptr& out,
                           void*& base, std::uint64_t& size, bool& created) noexcept;
// Takes a free participant index of the table (`count` entries at `table_offset` of the mapping)
// for this handle, held until the queue_object is destroyed (or its process dies). The caller
// then bumps the entry's generation. resource_unavailable_try_again when every index is held.
std::error_code queue_join(queue_object& q, std::uint64_t table_offset, std::uint32_t count,
                           std::uint32_t& index) noexcept;
// Whether a handle (of any process, this one's other handles included) holds participant
// `index`. The caller's own index is not asked (the kernel's answer there may be "not held").
bool queue_participant_held(queue_object& q, std::uint32_t index) noexcept;
// Sleeps while word.sequence == expected, at most `timeout` (> 0; nanoseconds::max() forever);
// may return early (callers loop). Spins a little first where that can pay.
std::error_code queue_wait(queue_object& q, queue_wait_word& word, std::uint32_t expected,
                           std::chrono::nanoseconds timeout) noexcept;
// Wakes every thread asleep on `word` (called after word.sequence changed, when waiters != 0).
void queue_wake(queue_object& q, queue_wait_word& word) noexcept;

// ---- Named objects (inspection, see <mmf/objects.hpp>)
// ---------------------------------------------

std::error_code list_objects(bool include_global, bool remove_stale,
                             std::vector<object_info>& out) noexcept;
std::filesystem::path shared_memory_path(const object_name& name);
// Sets the permission bits (a subset of 0666, owner read/write included) of the current user's
// Global object. operation_not_supported where the platform has no such notion.
std::error_code set_object_permissions(object_kind kind, const object_name& name,
                                       unsigned mode) noexcept;

}  // namespace mmf::detail::platform
