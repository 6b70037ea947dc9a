// mmf — inspecting the POSIX named objects: decoding the object files of the shared-memory
// directory, counting their holders from /proc/locks without disturbing them, and sweeping the
// stale ones (what list_objects, remove_stale_objects and `mmf list`/`gc` use); and the other
// platform entries of <mmf/objects.hpp>: a map's shared-memory path, and widening the permission
// bits of a Global object (set_object_permissions: never the owner's write and execute bits, which
// record what the creator of a map allows). The protocol that makes and removes objects is
// named_object.cpp's.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "errors.hpp"
#include "posix/map_support.hpp"
#include "posix/named_object.hpp"
#include "posix/persisted_record.hpp"

namespace mmf::detail::posix {

using platform::last_error;

// ---- Inspection ---------------------------------------------------------------------------------

namespace {

// flock holders per inode, read once from /proc/locks ("1: FLOCK ADVISORY READ 123 00:1a:4567 0
// EOF"); nullopt when /proc/locks cannot be read. Keys are "major:minor:inode" as printed there.
using holder_table = std::unordered_map<std::string, int>;

std::string lock_key(const struct ::stat& st) {
  char key[64];
  std::snprintf(key, sizeof key, "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
                static_cast<unsigned long long>(st.st_ino));
  return key;
}

// One pass over /proc/locks, counting only the keys in `wanted`.
std::optional<holder_table> read_flock_holders(const std::unordered_set<std::string>& wanted) {
  // Read with O_CLOEXEC (std::ifstream would not set it) so no descriptor leaks into a child.
  unique_fd fd(::open("/proc/locks", O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  holder_table table;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t stop = text.find('\n', start);
    if (stop == std::string::npos) stop = text.size();
    const std::string_view line(text.data() + start, stop - start);
    start = stop + 1;
    // "->" marks a waiter, not a holder. Fields: id: FLOCK ADVISORY READ pid dev:ino start end.
    if (line.find(" FLOCK ") == std::string_view::npos || line.find("->") != std::string_view::npos)
      continue;
    std::size_t field_start = 0;
    int field = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
      if (i != line.size() && line[i] != ' ') continue;
      if (i > field_start && ++field == 6) {
        std::string key(line.substr(field_start, i - field_start));
        if (wanted.count(key) != 0) ++table[std::move(key)];
        break;
      }
      field_start = i + 1;
    }
  }
  return table;
}

// The kernel hands /proc/locks out a page per read() and the list may change between two reads,
// so one pass can show a lock twice or miss it while other processes take and drop locks. Read
// until two passes agree on the keys we care about (a few passes at most; the last one otherwise).
std::optional<holder_table> read_stable_flock_holders(
    const std::unordered_set<std::string>& wanted) {
  std::optional<holder_table> previous = read_flock_holders(wanted);
  for (int pass = 0; previous && pass < 6; ++pass) {
    std::optional<holder_table> current = read_flock_holders(wanted);
    if (!current || *current == *previous) return current;
    previous = std::move(current);
  }
  return previous;
}

// The messages waiting in the queue open on `fd`: its tail minus its head, read from the header
// (queue_ring.hpp: the tail at offset 64, the head at 128), at most max_messages (offset 16). A
// snapshot; 0 for a header that cannot be read.
std::uint64_t queue_depth(int fd) noexcept {
  alignas(8) unsigned char header[136];
  ssize_t n = 0;
  do {
    n = ::pread(fd, header, sizeof header, 0);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof header)) return 0;
  std::uint64_t max = 0, tail = 0, head = 0;
  std::memcpy(&max, header + 16, 8);
  std::memcpy(&tail, header + 64, 8);
  std::memcpy(&head, header + 128, 8);
  if (tail <= head) return 0;
  return tail - head > max ? max : tail - head;
}

bool parse_file_name(const std::string& file, object_info& info, kind& k, bool& temp) {
  temp = false;
  if (file.rfind("mmf.tmp.", 0) == 0) {
    temp = true;
    return true;
  }
  if (file.rfind("mmf.", 0) != 0) return false;
  const auto s1 = file.find('.', 4);
  if (s1 == std::string::npos) return false;
  const auto s2 = file.find('.', s1 + 1);
  if (s2 == std::string::npos) return false;
  const std::string scope_tag = file.substr(4, s1 - 4);
  const std::string tag = file.substr(s1 + 1, s2 - s1 - 1);
  const std::string bare = file.substr(s2 + 1);
  object_name parsed;
  if (bare.empty()) return false;
  if (scope_tag == "g") {
    info.global = true;
    info.name = "Global\\" + bare;
  } else if (scope_tag.size() > 1 && scope_tag[0] == 'u') {
    info.global = false;
    info.name = bare;
  } else {
    return false;
  }
  if (tag == "map") {
    k = kind::map, info.kind = object_kind::map;
  } else if (tag == "file") {
    k = kind::file, info.kind = object_kind::persisted_map;
  } else if (tag == "mutex") {
    k = kind::mutex, info.kind = object_kind::mutex;
  } else if (tag == "event") {
    k = kind::event, info.kind = object_kind::event;
  } else if (tag == "sem") {
    k = kind::semaphore, info.kind = object_kind::semaphore;
  } else if (tag == "queue") {
    k = kind::queue, info.kind = object_kind::queue;
  } else {
    return false;
  }
  (void)parsed;
  return true;
}

}  // namespace

std::error_code scan_objects(bool include_global, bool remove_stale,
                             std::vector<object_info>& out) noexcept {
  try {
    const std::string dir = shm_directory();
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
    if (!d) return last_error();
    const std::string my_scope = "mmf.u" + std::to_string(::geteuid()) + ".";
    struct candidate {
      object_info info;
      kind k{};
      bool temp = false;
    };
    std::vector<candidate> candidates;
    std::unordered_set<std::string> keys;  // of the candidates' inodes, for /proc/locks
    while (const dirent* e = ::readdir(d.get())) {
      const std::string file = e->d_name;
      candidate c;
      if (!parse_file_name(file, c.info, c.k, c.temp)) continue;
      if (!c.temp && !c.info.global && file.rfind(my_scope, 0) != 0) continue;  // another user's
      if (!c.temp && c.info.global && !include_global && !remove_stale) continue;
      c.info.path = dir + "/" + file;
      struct ::stat st {};
      if (!remove_stale && ::lstat(c.info.path.c_str(), &st) == 0) keys.insert(lock_key(st));
      candidates.push_back(std::move(c));
    }
    d.reset();
    std::optional<holder_table> holders;
    if (!keys.empty()) holders = read_stable_flock_holders(keys);
    std::vector<object_info> found;
    for (auto& c : candidates) {
      object_info& info = c.info;
      const kind k = c.k;
      const bool temp = c.temp;
      unique_fd fd(::open(info.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
      if (!fd) continue;
      struct ::stat st {};
      if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      if (temp && st.st_uid != ::geteuid()) continue;
      info.owner = st.st_uid;
      info.size = static_cast<std::uint64_t>(st.st_size);
      if (!temp && k == kind::file) info.size = persisted_record_capacity(fd.get());
      if (!temp && k == kind::queue) info.queue_depth = queue_depth(fd.get());
      // A listing must not disturb a holder that is closing: its shared-to-exclusive conversion
      // fails while anybody else holds the lock, even for a moment, and then nobody would remove
      // the name. So a listing asks /proc/locks first and probes with LOCK_EX only objects that
      // show no holder there (/proc/locks hides the locks of a dead process's pid from another
      // pid namespace, e.g. a fork()ed child's inherited lock; the probe settles those). The
      // count is a snapshot: holders may come and go while we read.
      int listed = -1;  // holders that /proc/locks shows; -1 when unknown
      if (holders) {
        const auto it = holders->find(lock_key(st));
        listed = it == holders->end() ? 0 : it->second;
      }
      const bool stale =
          (remove_stale || listed <= 0) && flock_retry(fd.get(), LOCK_EX | LOCK_NB) == 0;
      info.live = !stale;
      info.holders = stale ? 0 : (listed > 0 ? listed : -1);
      if (stale && remove_stale && st.st_uid == ::geteuid()) {
        unlink_if_ours(fd.get(), info.path.string());
        found.push_back(std::move(info));
        continue;
      }
      fd.reset();          // drop the probe's LOCK_EX at once
      if (temp) continue;  // a creation in progress: not an object yet
      if (!remove_stale) found.push_back(std::move(info));
    }
    out = std::move(found);
    return {};
  } catch (const std::bad_alloc&) {
    return make_errc(std::errc::not_enough_memory);
  }
}

}  // namespace mmf::detail::posix

// ---- The platform entries of <mmf/objects.hpp> --------------------------------------------------

namespace mmf::detail::platform {

using posix::kind;
using posix::unique_fd;

std::error_code list_objects(bool include_global, bool remove_stale,
                             std::vector<object_info>& out) noexcept {
  return posix::scan_objects(include_global, remove_stale, out);
}

std::filesystem::path shared_memory_path(const object_name& name) {
  return std::filesystem::path(posix::shm_directory()) / posix::object_file_name(kind::map, name);
}

std::error_code set_object_permissions(object_kind what, const object_name& name,
                                       unsigned mode) noexcept {
  try {
    kind k = kind::map;
    switch (what) {
      case object_kind::map:
        k = kind::map;
        break;
      case object_kind::persisted_map:
        k = kind::file;
        break;
      case object_kind::mutex:
        k = kind::mutex;
        break;
      case object_kind::event:
        k = kind::event;
        break;
      case object_kind::semaphore:
        k = kind::semaphore;
        break;
      case object_kind::queue:
        k = kind::queue;
        break;
    }
    const std::string path = posix::shm_directory() + "/" + posix::object_file_name(k, name);
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!fd) {
      if (errno == ELOOP || errno == EACCES) return make_errc(std::errc::permission_denied);
      return last_error();
    }
    struct ::stat st {};
    if (::fstat(fd.get(), &st) != 0) return last_error();
    if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid())
      return make_errc(std::errc::permission_denied);
    // The owner's write and execute bits record what the creator of a map allows: they stay as
    // they are, and without the write bit nobody else may write either.
    auto wanted = static_cast<mode_t>(mode) & ~static_cast<mode_t>(S_IWUSR | S_IXUSR);
    wanted |= st.st_mode & (S_IWUSR | S_IXUSR);
    if ((st.st_mode & S_IWUSR) == 0) wanted &= ~static_cast<mode_t>(S_IWGRP | S_IWOTH);
    if (::fchmod(fd.get(), wanted) != 0) return last_error();
    return {};
  } catch (const std::bad_alloc&) {
    return make_errc(std::errc::not_enough_memory);
  }
}

}  // namespace mmf::detail::platform
