#include "posix/named_object.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "errors.hpp"
#include "posix/map_support.hpp"
#include "posix/syscalls.hpp"

namespace mmf::detail::posix {

void fd_traits::close(int fd) noexcept {
  // Never retried on EINTR: on Linux the descriptor is released even then, and a retry could
  // close a descriptor another thread just opened.
  ::close(fd);
}

using platform::last_error;

namespace {

// ---- fork()
// -------------------------------------------------------------------------------------- A forked
// child inherits our descriptors, and with them our open file descriptions, which carry our flock
// holds. Left alone, parent and child would share one hold: whichever closed first would find
// itself "last" (flock converts its own lock) and remove the name under the other. So, just before
// fork(), the parent opens every held object once more (a new open file description) and takes
// LOCK_SH on it; after fork() the parent closes its copies and the child puts them in place of the
// inherited descriptors (dup3). The new holds exist before the child does, so no window opens in
// which a closing parent could think itself the last holder. After fork() the child is a holder in
// its own right, as a Windows child process that inherited the handles (docs/named-objects.md). The
// child handler makes only async-signal-safe calls. posix_spawn() and vfork() run no fork handlers:
// a descriptor that survives exec (inheritability::inheritable) keeps the memory alive in the new
// program but is not a hold on the name.

struct fork_state {
  std::mutex mutex;
  std::set<int> holds;                     // descriptors carrying our holds
  std::vector<std::pair<int, int>> spare;  // (hold, its fresh copy) while a fork is under way
};
fork_state& forks() {
  static fork_state state;
  return state;
}

void before_fork() noexcept {
  auto& f = forks();
  f.mutex.lock();
  f.spare.clear();
  try {
    f.spare.reserve(f.holds.size());
  } catch (...) {
    return;  // no memory: the child shares our holds, as without this mechanism
  }
  for (const int fd : f.holds) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    const int status = ::fcntl(fd, F_GETFL);
    if (status < 0) continue;
    const int copy = ::open(path, (status & O_ACCMODE) | O_CLOEXEC);
    if (copy < 0) continue;
    // We hold LOCK_SH on the object already, so nobody holds LOCK_EX: this does not block.
    if (::flock(copy, LOCK_SH) != 0) {
      ::close(copy);
      continue;
    }
    f.spare.emplace_back(fd, copy);
  }
}

void after_fork_parent() noexcept {
  auto& f = forks();
  for (const auto& [fd, copy] : f.spare)
    ::close(copy);  // the child keeps the lock alive
  f.spare.clear();
  f.mutex.unlock();
}

void after_fork_child() noexcept {
  auto& f = forks();
  for (const auto& [fd, copy] : f.spare) {
    const int fd_flags = ::fcntl(fd, F_GETFD);
    ::dup3(copy, fd, fd_flags >= 0 && (fd_flags & FD_CLOEXEC) != 0 ? O_CLOEXEC : 0);
    ::close(copy);
  }
  f.spare.clear();   // no deallocation: clear() keeps the capacity
  f.mutex.unlock();  // locked by this thread's before_fork(), whose copy we are
}

void register_hold(int fd) {
  static const bool installed = [] {
    ::pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    return true;
  }();
  (void)installed;
  std::lock_guard lock(forks().mutex);
  forks().holds.insert(fd);
}

void unregister_hold(int fd) noexcept {
  std::lock_guard lock(forks().mutex);
  forks().holds.erase(fd);
}

// EACCES/EPERM/ELOOP (a symlink under our name) all mean "not yours to open".
std::error_code open_error() noexcept {
  const int e = errno;
  if (e == ELOOP || e == EACCES || e == EPERM) return make_errc(std::errc::permission_denied);
  return {e, std::system_category()};
}

bool same_file(const struct ::stat& a, const struct ::stat& b) noexcept {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// True when `path` still names the inode open as `fd`.
bool still_named(int fd, const std::string& path) noexcept {
  struct ::stat mine {};
  struct ::stat named {};
  return ::fstat(fd, &mine) == 0 && mine.st_nlink > 0 && ::lstat(path.c_str(), &named) == 0 &&
         same_file(mine, named);
}

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^
                                          static_cast<std::uint64_t>(::getpid())};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

// A new, unpublished object: an unnamed file (O_TMPFILE) in the directory, or, where the file
// system lacks O_TMPFILE, a private temporary name (mmf.tmp.*) that `publish` removes.
struct fresh_object {
  unique_fd fd;
  std::string temp_path;  // empty for O_TMPFILE
  ~fresh_object() {
    if (!temp_path.empty()) ::unlink(temp_path.c_str());
  }
};

std::error_code make_fresh(const std::string& dir, const named_spec& spec, fresh_object& out) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  std::string temp_path;
  if (fd < 0) {
    const int e = errno;
    if (e != EOPNOTSUPP && e != EISDIR && e != EINVAL) return {e, std::system_category()};
    for (int attempt = 0; fd < 0 && attempt < 16; ++attempt) {
      temp_path = dir + "/mmf.tmp." + random_suffix();
      fd = ::open(temp_path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0 && errno != EEXIST) return last_error();
    }
    if (fd < 0) return make_errc(std::errc::file_exists);
  }
  out.fd.reset(fd);
  out.temp_path = std::move(temp_path);
  // The umask may have removed bits from 0600: set the mode explicitly so every object is exactly
  // what the spec says (owner read/write, or less for a map whose creator allows less).
  if (::fchmod(fd, spec.mode) != 0) return last_error();
  if (flock_retry(fd, LOCK_SH) != 0) return last_error();
  if (spec.init) {
    if (auto ec = spec.init(fd)) return ec;
  }
  if (spec.inherit == inheritability::inheritable) {
    if (::fcntl(fd, F_SETFD, 0) != 0) return last_error();
  }
  return {};
}

// Gives the fresh object its name. EEXIST when the name is taken (linkat never replaces).
std::error_code publish(fresh_object& fresh, const std::string& path) noexcept {
  if (!fresh.temp_path.empty()) {
    if (::link(fresh.temp_path.c_str(), path.c_str()) != 0) return last_error();
    ::unlink(fresh.temp_path.c_str());
    fresh.temp_path.clear();
    return {};
  }
  char proc[64];
  std::snprintf(proc, sizeof proc, "/proc/self/fd/%d", fresh.fd.get());
  if (::linkat(AT_FDCWD, proc, AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) return {};
  const int e = errno;
  if (e != ENOENT) return {e, std::system_category()};
  // No /proc: AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH, which root has.
  if (::linkat(fresh.fd.get(), "", AT_FDCWD, path.c_str(), AT_EMPTY_PATH) == 0) return {};
  return last_error();
}

// Whether another user's Global\ object grants us the access its mode bits say, decided by us
// rather than by the kernel: root bypasses the kernel's check, and an object another user never
// widened must not be attached even by root (a squatter's object is refused, never attached).
bool granted_to_us(const struct ::stat& st, bool writable) {
  if (st.st_uid == ::geteuid()) return true;
  bool in_group = st.st_gid == ::getegid();
  if (!in_group) {
    gid_t groups[256];
    const int n = ::getgroups(256, groups);
    for (int i = 0; i < n && !in_group; ++i)
      in_group = groups[i] == st.st_gid;
  }
  const mode_t read_bit = in_group ? S_IRGRP : S_IROTH;
  const mode_t write_bit = in_group ? S_IWGRP : S_IWOTH;
  return (st.st_mode & read_bit) != 0 && (!writable || (st.st_mode & write_bit) != 0);
}

enum class probe { opened, live, gone, busy };

// Opens the existing object at `path`. With attach, a live object is attached (LOCK_SH held on
// return, probe::opened); without, a live one is only reported (probe::live). A stale object (no
// holder) is removed and reported as gone.
std::error_code open_existing_object(const std::string& path, const named_spec& spec, bool attach,
                                     unique_fd& out, struct ::stat& st_out, probe& result) {
  const int flags = (spec.writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
  unique_fd fd(::open(path.c_str(), flags));
  bool write_refused = false;
  if (!fd && errno == EACCES && spec.writable) {
    // Perhaps a map its creator made read-only (mode 0400): open it for reading, so that a stale
    // one is still reclaimed below, and a live one is refused with permission_denied.
    fd.reset(::open(path.c_str(), (flags & ~O_RDWR) | O_RDONLY));
    if (fd)
      write_refused = true;
    else
      errno = EACCES;
  }
  if (!fd) {
    if (errno == ENOENT) {
      result = probe::gone;
      return {};
    }
    return open_error();
  }
  struct ::stat st {};
  if (::fstat(fd.get(), &st) != 0) return last_error();
  // Squatting defence: only a regular file, and for a Local\ name only one owned by us.
  if (!S_ISREG(st.st_mode)) return make_errc(std::errc::permission_denied);
  // A Local\ object is ours and owner-only (we create it 0600): anything else was planted or
  // tampered with. A Global\ object may belong to another user who widened its permissions; the
  // kernel's permission check in open() has already decided whether we may use it.
  if (spec.name->where == scope::local &&
      (st.st_uid != ::geteuid() || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0))
    return make_errc(std::errc::permission_denied);
  if (spec.name->where == scope::global && !granted_to_us(st, spec.writable))
    return make_errc(std::errc::permission_denied);

  if (flock_retry(fd.get(), LOCK_EX | LOCK_NB) == 0) {
    // Nobody holds it: every holder died (or is closing). Reclaim the name and start over.
    unlink_if_ours(fd.get(), path);
    result = probe::gone;
    return {};
  }
  if (errno != EWOULDBLOCK) return last_error();
  if (!attach) {
    result = probe::live;
    return {};
  }
  // Live: the access its creator gave bounds every opener.
  if (write_refused || (spec.writable && (st.st_mode & S_IWUSR) == 0) ||
      (spec.executable && (st.st_mode & S_IXUSR) == 0))
    return make_errc(std::errc::permission_denied);
  if (flock_retry(fd.get(), LOCK_SH | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return last_error();
    result = probe::busy;  // a closer or reaper holds LOCK_EX right now
    return {};
  }
  // The last holder may have left (and unlinked the name) between the probe and our LOCK_SH.
  struct ::stat named {};
  if (::lstat(path.c_str(), &named) != 0 || !same_file(st, named)) {
    result = probe::gone;
    return {};
  }
  // Objects never change size once published: the fstat above still describes it.
  if (spec.validate) {
    if (auto ec = spec.validate(fd.get(), st)) return ec;
  }
  if (spec.inherit == inheritability::inheritable && ::fcntl(fd.get(), F_SETFD, 0) != 0)
    return last_error();
  out = std::move(fd);
  st_out = st;
  result = probe::opened;
  return {};
}

}  // namespace

int flock_retry(int fd, int operation) noexcept {
  int rc;
  do {
    rc = sys().flock(fd, operation);
  } while (rc != 0 && errno == EINTR);
  return rc;
}

void unlink_if_ours(int fd, const std::string& path) noexcept {
  if (still_named(fd, path)) ::unlink(path.c_str());
}

const char* kind_tag(kind k) noexcept {
  switch (k) {
    case kind::map:
      return "map";
    case kind::file:
      return "file";
    case kind::mutex:
      return "mutex";
    case kind::event:
      return "event";
    case kind::semaphore:
      return "sem";
    case kind::queue:
      return "queue";
  }
  return "?";
}

std::string shm_directory() {
  const char* env = std::getenv("MMF_SHM_DIR");
  if (env != nullptr && *env != '\0') return env;
  return "/dev/shm";
}

std::string object_file_name(kind k, const object_name& name) {
  char scope_tag[16] = "g";
  if (name.where == scope::local)
    std::snprintf(scope_tag, sizeof scope_tag, "u%u", static_cast<unsigned>(::geteuid()));
  const std::string_view tag = kind_tag(k);
  std::string s;
  s.reserve(4 + std::strlen(scope_tag) + 1 + tag.size() + 1 + name.bare.size());
  s.append("mmf.").append(scope_tag).append(1, '.').append(tag).append(1, '.').append(name.bare);
  return s;
}

named_object& named_object::operator=(named_object&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::move(other.fd_);
    path_ = std::move(other.path_);
    size_ = std::exchange(other.size_, 0);
    device_ = std::exchange(other.device_, 0);
    inode_ = std::exchange(other.inode_, 0);
  }
  return *this;
}

void named_object::release() noexcept {
  if (!fd_) return;
  unregister_hold(fd_.get());
  // flock's shared→exclusive conversion is not atomic (it may drop LOCK_SH first); harmless here:
  // we are leaving either way. Success means no other holder is left.
  if (flock_retry(fd_.get(), LOCK_EX | LOCK_NB) == 0) {
    struct ::stat mine {};
    if (inode_ == 0 && ::fstat(fd_.get(), &mine) == 0) {
      device_ = static_cast<std::uint64_t>(mine.st_dev);
      inode_ = static_cast<std::uint64_t>(mine.st_ino);
    }
    struct ::stat named {};
    // Only a name that still refers to this very inode is ours to remove.
    if (inode_ != 0 && ::lstat(path_.c_str(), &named) == 0 &&
        static_cast<std::uint64_t>(named.st_dev) == device_ &&
        static_cast<std::uint64_t>(named.st_ino) == inode_)
      ::unlink(path_.c_str());
  }
  fd_.reset();
  path_.clear();
  size_ = device_ = inode_ = 0;
}

std::error_code open_named(disposition how, const named_spec& spec, named_object& out,
                           bool& created) noexcept {
  try {
    const std::string path = shm_directory() + "/" + object_file_name(spec.what, *spec.name);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    fresh_object fresh;
    for (int round = 0;; ++round) {
      probe result = probe::gone;
      // Open first (unless only creation will do): building a fresh object is the expensive part,
      // and create_or_open of an existing object should not pay for it.
      if (how != disposition::create_new) {
        unique_fd fd;
        struct ::stat st {};
        if (auto ec = open_existing_object(path, spec, true, fd, st, result)) return ec;
        if (result == probe::opened) {
          register_hold(fd.get());
          out = named_object{};
          out.fd_ = std::move(fd);
          out.path_ = path;
          out.size_ = static_cast<std::uint64_t>(st.st_size);
          out.device_ = static_cast<std::uint64_t>(st.st_dev);
          out.inode_ = static_cast<std::uint64_t>(st.st_ino);
          created = false;
          return {};
        }
        if (result == probe::gone && how == disposition::open_existing)
          return make_errc(std::errc::no_such_file_or_directory);
      }
      if (result == probe::gone) {
        if (!fresh.fd) {
          if (auto ec = make_fresh(shm_directory(), spec, fresh)) return ec;
        }
        auto ec = publish(fresh, path);
        if (!ec) {
          register_hold(fresh.fd.get());
          out = named_object{};
          out.fd_ = std::move(fresh.fd);
          out.path_ = path;
          created = true;
          return {};
        }
        if (ec != std::errc::file_exists) return ec;
        if (how == disposition::create_or_open) continue;  // somebody else won: open theirs
        // create_new: a live object is file_exists; a stale one is reclaimed, then publish again.
        unique_fd fd;
        struct ::stat st {};
        if (auto probe_ec = open_existing_object(path, spec, false, fd, st, result))
          return probe_ec;
        if (result == probe::live) return make_errc(std::errc::file_exists);
        if (result == probe::gone) continue;
      }
      if (std::chrono::steady_clock::now() > deadline)
        return make_errc(std::errc::resource_unavailable_try_again);
      // Somebody holds LOCK_EX for a moment (a closer unlinking, a reaper): back off briefly.
      if (round < 16)
        std::this_thread::yield();
      else
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  } catch (const std::bad_alloc&) {
    return make_errc(std::errc::not_enough_memory);
  }
}

}  // namespace mmf::detail::posix
