// mmf — inspecting and cleaning up named objects (what the `mmf` tool's list, gc and path use).
//
// On POSIX every named map, mutex, event, semaphore and message queue is a file in the
// shared-memory directory
// (/dev/shm, or $MMF_SHM_DIR when set), named mmf.<scope>.<kind>.<name>, where <scope> is u<uid>
// for Local\ names and g for Global\ names. A holder keeps a shared flock on it; an object nobody
// holds any more is stale: it is invisible to the API and reclaimed on the next create or open of
// its name, or by remove_stale_objects(). On Windows, named objects live in the kernel and are
// never stale; list_objects() there reports nothing it cannot see.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <mmf/export.hpp>

namespace mmf {

enum class object_kind : std::uint8_t { map, persisted_map, mutex, event, semaphore, queue };

// "map", "persisted_map", "mutex", "event", "semaphore" or "queue" (a message_queue).
MMF_API std::string_view to_string(object_kind kind) noexcept;

struct object_info {
  object_kind kind = object_kind::map;
  std::string name;            // as a program would pass it: "x" or "Global\x"
  bool global = false;         // a Global\ object
  std::uint64_t size = 0;      // bytes of the backing object (for maps: the capacity)
  int holders = -1;            // open handles in all processes, -1 where the platform cannot tell
                               // (a snapshot: on Linux counted from /proc/locks)
  std::uint32_t owner = 0;     // the owning user id (POSIX)
  bool live = true;            // false: stale (every holder gone), to be removed
  std::filesystem::path path;  // the backing file (POSIX)
  // Queues (kind queue, POSIX): the messages waiting, as message_queue::size() would report
  // them (a snapshot); 0 for other kinds and where the platform cannot tell.
  std::uint64_t queue_depth = 0;
};

// The current user's named objects; with include_global, Global\ objects too.
// Errors: the OS error of reading the shared-memory directory.
MMF_API std::vector<object_info> list_objects(bool include_global = false);

// Removes the current user's stale objects (and temporary files of creations that crashed) and
// returns what it removed. Live objects are never touched. Errors: as list_objects.
MMF_API std::vector<object_info> remove_stale_objects();

// Sets who may open the Global\ object `name` of `kind` that the current user created. Objects are
// created owner-only (mode 0600, whatever the umask); this widens them to the group or to everyone
// (or narrows them again). `perms` may contain only owner_read, owner_write, group_read,
// group_write, others_read and others_write; owner_read and owner_write are always kept, except
// that a map created without write access never gains write bits (it stays read-only for all).
// Call it right after creating the object; until then other users get permission_denied.
// Errors: invalid_argument (a Local\ name — those stay private to their user —, a bad name or
// other bits), no_such_file_or_directory (no such object), permission_denied (not ours),
// operation_not_supported (Windows: use the kernel object's security descriptor).
MMF_API void set_object_permissions(object_kind kind, std::string_view name,
                                    std::filesystem::perms perms);

// Where the bytes of the named non-persisted map `map_name` live on this platform (POSIX: the file
// in the shared-memory directory, which Python's mmap or numpy.memmap can open; the data starts at
// offset 0). The map need not exist. Errors: invalid_argument for a bad name.
MMF_API std::filesystem::path shared_memory_path(std::string_view map_name);

}  // namespace mmf
