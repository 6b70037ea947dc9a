// mmf — named objects on POSIX: the one protocol behind named maps, mutexes, events and
// semaphores and message queues (see RELIABILITY.md and docs/named-objects.md).
//
// An object is a file in the shared-memory directory (/dev/shm, or $MMF_SHM_DIR):
//     mmf.<scope>.<kind>.<name>     scope: u<uid> (Local\) or g (Global\)
// Protocol:
// - Liveness: every holder keeps a shared flock() on its own open file description. flock locks
//   are held by the kernel and dropped when the process dies, so SIGKILL of every holder leaves a
//   file nobody holds: a stale object. PIDs are never used.
// - Creation is atomic: the object is built in an unnamed file (O_TMPFILE; or a private temporary
//   name where O_TMPFILE is unsupported), locked shared, sized (posix_fallocate unless lazy),
//   filled by the caller's `init`, and only then published with linkat(), which fails on an
//   existing name. Nobody ever sees a half-made object; exactly one racing creator wins.
// - Opening: open(O_NOFOLLOW|O_CLOEXEC), check owner and type, then probe flock(LOCK_EX|LOCK_NB):
//   success means nobody holds it (stale): the opener proves the name still refers to that inode,
//   unlinks it and starts over. Otherwise it takes LOCK_SH and re-checks that the name still refers
//   to its inode (a last closer may have unlinked it meanwhile); if not, it starts over.
// - Closing: flock(LOCK_EX|LOCK_NB); success means this was the last holder: unlink the name
//   (after proving it is still this inode), then close. flock's shared→exclusive conversion may
//   drop the shared lock first; that is harmless here because the closer is leaving anyway.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "platform.hpp"
#include "unique_handle.hpp"

namespace mmf::detail::posix {

using platform::disposition;
struct named_spec;

struct fd_traits {
  using type = int;
  static int invalid() noexcept { return -1; }
  static void close(int fd) noexcept;  // never retried on EINTR
};
using unique_fd = unique_resource<fd_traits>;

enum class kind : std::uint8_t { map, file, mutex, event, semaphore, queue };
// "map", "file", "mutex", "event", "sem", "queue"
const char* kind_tag(kind k) noexcept;

// The shared-memory directory: $MMF_SHM_DIR if set and non-empty, else /dev/shm.
std::string shm_directory();
// The file name (no directory) of an object: "mmf.u1000.map.SampleMap".
std::string object_file_name(kind k, const object_name& name);

// One holder's hold on a named object: an open descriptor carrying a shared flock.
class named_object {
 public:
  named_object() noexcept = default;
  named_object(named_object&& other) noexcept
      : fd_(std::move(other.fd_)),
        path_(std::move(other.path_)),
        size_(std::exchange(other.size_, 0)),
        device_(std::exchange(other.device_, 0)),
        inode_(std::exchange(other.inode_, 0)) {}
  named_object& operator=(named_object&& other) noexcept;
  named_object(const named_object&) = delete;
  named_object& operator=(const named_object&) = delete;
  ~named_object() { release(); }

  explicit operator bool() const noexcept { return static_cast<bool>(fd_); }
  int fd() const noexcept { return fd_.get(); }
  const std::string& path() const noexcept { return path_; }
  // The object's size as found when it was opened (0 for an object this process created: its
  // creator knows the size it gave it).
  std::uint64_t opened_size() const noexcept { return size_; }
  // Drops the hold; removes the name if this was the last holder. Idempotent.
  void release() noexcept;

 private:
  friend std::error_code open_named(disposition, const named_spec&, named_object&, bool&) noexcept;
  unique_fd fd_;
  std::string path_;
  std::uint64_t size_ = 0;
  std::uint64_t device_ = 0;  // identity of the inode, to prove the name is still ours
  std::uint64_t inode_ = 0;   // (0: not known yet)
};

struct named_spec {
  kind what = kind::map;
  const object_name* name = nullptr;
  bool writable = true;     // open O_RDWR (else O_RDONLY); creation always writes
  bool executable = false;  // the opener will map it executable
  // The mode of a new object. The owner's write and execute bits carry what its creator allows
  // (a map created with access::read is 0400): an opener asking for more gets permission_denied,
  // root included, because the check is ours and not only the kernel's.
  mode_t mode = 0600;
  inheritability inherit = inheritability::none;
  // Sizes and fills a new, still invisible object (the fd is O_RDWR, already locked shared). An
  // error abandons the creation; nothing is left behind.
  std::function<std::error_code(int fd)> init;
  // Checks an existing object before it is handed out (size, header). An error is returned as is.
  std::function<std::error_code(int fd, const struct ::stat& st)> validate;
};

// Creates and/or opens the object as `how` says. `created` tells whether this call created it.
// Errors: no_such_file_or_directory (open_existing, no live object), file_exists (create_new, a
// live object exists), permission_denied (a symlink or another user's file under our name, or the
// OS's EACCES), whatever init/validate return, resource_unavailable_try_again when the name stayed
// contended for over a second.
std::error_code open_named(disposition how, const named_spec& spec, named_object& out,
                           bool& created) noexcept;

// Steps of the protocol that the inspection (inspect.cpp) shares with it:
// flock() through the syscall seam, retried on EINTR.
int flock_retry(int fd, int operation) noexcept;
// Called while holding LOCK_EX on `fd`: nobody else holds the object, so its name may go, but only
// if the name still refers to this very inode (never unlink what we have not proved is ours).
void unlink_if_ours(int fd, const std::string& path) noexcept;

// Every object file in the shared-memory directory, decoded; with remove_stale, the stale ones of
// the current user are removed (and reported). In inspect.cpp.
std::error_code scan_objects(bool include_global, bool remove_stale,
                             std::vector<object_info>& out) noexcept;

}  // namespace mmf::detail::posix
