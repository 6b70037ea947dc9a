// mmf — the POSIX back end's sections and views: what a memory_mapped_file maps (a file, an
// anonymous memfd, a named shared-memory object, a named persisted map's file), its views, and the
// system's page facts. What they build on has files of its own: plain files (file.cpp), sizing
// and reserving the object and placing huge-page mappings (backing.hpp), the record of a named
// persisted map (persisted_record.hpp), the named-object protocol (named_object.hpp).
//
// Contract:
// - Maps and persisted maps share one namespace, as on Windows: create_new is file_exists while a
//   live object of the other kind holds the name, and open_existing and create_or_open find a
//   persisted map where no shared-memory map has the name. The check is not atomic with the
//   creation that follows.
// - A new named map's mode records what its creator allows (named_spec::mode), and it is sized
//   (size_object) in named_spec::init, before it is published.
// - Anonymous huge_pages try hugetlbfs first and fall back quietly to normal shared memory with
//   transparent huge pages.
// - grow_section grows a non-persisted object through size_object (so the grown part passes
//   check_reservation and is reserved unless delay_allocate_pages) and a persisted map's file
//   sparsely (resize_file), raising a named one's recorded capacity. Growers of one object are
//   serialised across processes by an OFD lock (F_OFD_SETLKW, independent of the protocol's
//   flocks) on its first byte (the record's, for a persisted map); under it the object's size is
//   read first, so it never shrinks. section_capacity is the object's size (named shared memory)
//   or the recorded capacity (named persisted map).
// - map_view maps MAP_SHARED (copy_on_write: MAP_PRIVATE); access::write is read-write (POSIX has
//   no write-only pages). With huge_pages a view of at least huge_page bytes is placed for huge
//   pages; with populate it is prefaulted where the kernel can (Linux 5.14+). Errors:
//   result_out_of_range (an offset past off_t), permission_denied, not_enough_memory.
// - flush_view writes a persisted section's range and waits (msync MS_SYNC), then fdatasync so a
//   grown size is durable too; other sections have nothing to flush.
// - Page control: flush_view_async starts the writeback with sync_file_range (msync(MS_ASYNC) is
//   a no-op on Linux); advise_view is madvise, where dont_need is MADV_DONTNEED only on shared
//   views (the page cache or the shared memory keeps the pages) and MADV_COLD on copy-on-write
//   views (MADV_DONTNEED would discard their private changes); lock_view / unlock_view are
//   mlock / munlock, and every refusal of mlock is not_enough_memory.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <limits>

#include "errors.hpp"
#include "platform.hpp"
#include "posix/backing.hpp"
#include "posix/map_support.hpp"
#include "posix/named_object.hpp"
#include "posix/persisted_record.hpp"
#include "posix/reservation.hpp"
#include "posix/syscalls.hpp"

namespace mmf::detail::platform {

using posix::kind;
using posix::named_object;
using posix::named_spec;
using posix::unique_fd;

struct section {
  int map_fd = -1;     // what views map: the file or the shared-memory object
  unique_fd owned_fd;  // the file or anonymous memory when this section owns it
  named_object hold;   // the hold on the name (the object itself for named shared memory)
  bool persisted = false;
  bool hugetlb = false;                     // an anonymous map on hugetlbfs (MFD_HUGETLB)
  map_options options = map_options::none;  // populate / huge_pages apply to every view
};

void section_deleter::operator()(section* s) const noexcept {
  delete s;
}

// ---- System -------------------------------------------------------------------------------------

std::size_t page_size() noexcept {
  static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}
std::size_t allocation_granularity() noexcept {
  return page_size();
}

// ---- Sections -----------------------------------------------------------------------------------

namespace {

// A live object of the other map kind under the same name (maps and persisted maps share one
// namespace, as on Windows). Not atomic with the creation that follows; documented.
bool other_kind_live(kind k, const object_name& name) {
  named_spec spec;
  spec.what = k;
  spec.name = &name;
  spec.writable = false;
  named_object probe_hold;
  bool created = false;
  return !posix::open_named(disposition::open_existing, spec, probe_hold, created);
}

}  // namespace

std::error_code section_from_file(native_handle file, bool own_file, const object_name* name,
                                  const std::filesystem::path* path, std::uint64_t capacity,
                                  access acc, inheritability inherit, section_ptr& out) noexcept {
  try {
    section_ptr s(new section);
    s->map_fd = file;
    s->persisted = true;
    if (name != nullptr) {
      if (other_kind_live(kind::map, *name)) return make_errc(std::errc::file_exists);
      if (auto ec = publish_record(*name, file, path, capacity, acc, inherit, s->hold)) return ec;
    }
    if (own_file) {
      if (auto ec = set_inheritable(file, inherit == inheritability::inheritable)) return ec;
      s->owned_fd.reset(file);
    }
    out = std::move(s);
    return {};
  } catch (const std::bad_alloc&) {
    return make_errc(std::errc::not_enough_memory);
  }
}

std::error_code section_named(disposition how, const section_request& request, section_ptr& out,
                              bool& created, std::uint64_t& capacity, bool& persisted) noexcept {
  try {
    const bool lazy = has_option(request.options, map_options::delay_allocate_pages);
    const bool huge = has_option(request.options, map_options::huge_pages);
    if (request.name == nullptr) {
      // Anonymous: memory nobody can name, shared only through inherited descriptors.
      const unsigned flags = request.inherit == inheritability::inheritable ? 0u : MFD_CLOEXEC;
      unique_fd fd;
      bool hugetlb = false;
      if (has_option(request.options, map_options::huge_pages)) {
        // hugetlbfs pages, when the administrator reserved some (vm.nr_hugepages) and the size is
        // a multiple of the huge page size; otherwise fall back to normal shared memory.
        fd.reset(::memfd_create("mmf", flags | MFD_HUGETLB));
        if (fd && size_object(fd.get(), request.capacity, lazy, false,
                              posix::reservation_kind::huge_pages, "anonymous huge pages")) {
          fd.reset();
          forget_error_detail();  // not an error: normal memory is tried next
        }
        hugetlb = static_cast<bool>(fd);
      }
      if (!fd) {
        fd.reset(::memfd_create("mmf", flags));
        if (!fd) return space_error(errno);
        if (auto ec = size_object(fd.get(), request.capacity, lazy, huge,
                                  posix::reservation_kind::memory, "anonymous shared memory"))
          return ec;
      }
      section_ptr s(new section);
      s->map_fd = fd.get();
      s->hugetlb = hugetlb;
      s->owned_fd = std::move(fd);
      s->options = request.options;
      out = std::move(s);
      created = true;
      capacity = request.capacity;
      persisted = false;
      return {};
    }
    const object_name& name = *request.name;
    named_spec spec;
    spec.what = kind::map;
    spec.name = &name;
    spec.writable = writes_shared(request.acc);
    spec.executable =
        request.acc == access::read_execute || request.acc == access::read_write_execute;
    // A new map's mode records what its creator allows (see named_spec::mode).
    spec.mode = static_cast<mode_t>(S_IRUSR | (spec.writable ? S_IWUSR : 0) |
                                    (spec.executable ? S_IXUSR : 0));
    spec.inherit = request.inherit;
    const std::uint64_t wanted = request.capacity;
    spec.init = [wanted, lazy, huge](int fd) { return size_object(fd, wanted, lazy, huge); };
    spec.validate = [](int, const struct ::stat& st) {
      return st.st_size > 0 ? std::error_code{} : corrupt();
    };
    section_ptr s(new section);
    bool made = false;
    // Maps and persisted maps share one namespace (as on Windows): a persisted map published
    // under this name answers open_existing and create_or_open, and makes create_new fail. The
    // shared-memory map is looked for first: it is the common case.
    std::error_code ec;
    if (how == disposition::create_new) {
      if (other_kind_live(kind::file, name)) return make_errc(std::errc::file_exists);
      ec = posix::open_named(how, spec, s->hold, made);
    } else {
      ec = posix::open_named(disposition::open_existing, spec, s->hold, made);
      if (ec == std::errc::no_such_file_or_directory) {
        unique_fd file;
        named_object record;
        std::uint64_t cap = 0;
        auto pec = open_persisted(name, request.acc, request.inherit, file, record, cap);
        if (!pec) {
          section_ptr p(new section);
          p->map_fd = file.get();
          p->owned_fd = std::move(file);
          p->hold = std::move(record);
          p->persisted = true;
          out = std::move(p);
          created = false;
          capacity = cap;
          persisted = true;
          return {};
        }
        if (pec != std::errc::no_such_file_or_directory) return pec;
        if (how == disposition::create_or_open) ec = posix::open_named(how, spec, s->hold, made);
      }
    }
    if (ec) return ec;
    s->map_fd = s->hold.fd();
    s->options = request.options;
    capacity = made ? wanted : s->hold.opened_size();
    created = made;
    persisted = false;
    out = std::move(s);
    return {};
  } catch (const std::bad_alloc&) {
    return make_errc(std::errc::not_enough_memory);
  }
}

native_handle section_handle(const section& s) noexcept {
  return s.map_fd;
}

// ---- Growth -------------------------------------------------------------------------------------

namespace {

// Serialises the growers of one object across processes, so that one never shrinks what another
// has just grown: an open-file-description lock (F_OFD_SETLKW, independent of the flocks of the
// named-object protocol) on the object's first byte, held while the size is read and changed.
class grow_lock {
 public:
  std::error_code lock(int fd) noexcept {
    struct ::flock l {};
    l.l_type = F_WRLCK;
    l.l_whence = SEEK_SET;
    l.l_start = 0;
    l.l_len = 1;
    int rc;
    do {
      rc = ::fcntl(fd, F_OFD_SETLKW, &l);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return last_error();
    fd_ = fd;
    return {};
  }
  grow_lock() noexcept = default;
  grow_lock(const grow_lock&) = delete;
  grow_lock& operator=(const grow_lock&) = delete;
  ~grow_lock() {
    if (fd_ < 0) return;
    struct ::flock l {};
    l.l_type = F_UNLCK;
    l.l_whence = SEEK_SET;
    l.l_start = 0;
    l.l_len = 1;
    ::fcntl(fd_, F_OFD_SETLK, &l);
  }

 private:
  int fd_ = -1;
};

// A writable descriptor of the very inode open on `fd` (a hold opened read-only: the record of a
// persisted map opened by name), through /proc/self/fd.
std::error_code writable_fd(int fd, unique_fd& out) noexcept {
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  int w;
  do {
    w = ::open(link, O_RDWR | O_CLOEXEC);
  } while (w < 0 && errno == EINTR);
  if (w < 0) return space_error(errno);
  out.reset(w);
  return {};
}

std::error_code object_size(int fd, std::uint64_t& size) noexcept {
  struct ::stat st {};
  if (::fstat(fd, &st) != 0) return last_error();
  size = static_cast<std::uint64_t>(st.st_size);
  return {};
}

// A persisted map: the file grows sparsely (as create_from_file grows it); a named one's record
// then publishes the new capacity, under the record's grow lock.
std::error_code grow_file(section& s, std::uint64_t capacity) noexcept {
  unique_fd record;
  grow_lock guard;
  if (s.hold) {
    if (auto ec = writable_fd(s.hold.fd(), record)) return ec;
    if (auto ec = guard.lock(record.get())) return ec;
  }
  std::uint64_t size = 0;
  if (auto ec = file_size(s.map_fd, size)) return ec;
  const bool grows = size < capacity;
  if (grows) {
    if (auto ec = resize_file(s.map_fd, capacity)) return ec;
  }
  if (record && posix::persisted_record_capacity(record.get()) < capacity) {
    if (auto ec = posix::set_persisted_record_capacity(record.get(), capacity)) {
      if (grows) resize_file(s.map_fd, size);
      return ec;
    }
  }
  return {};
}

}  // namespace

std::error_code grow_section(section& s, std::uint64_t /*old_capacity*/,
                             std::uint64_t capacity) noexcept {
  if (s.persisted) return grow_file(s, capacity);
  if (capacity > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max()))
    return make_errc(std::errc::no_space_on_device);
  grow_lock guard;
  if (auto ec = guard.lock(s.map_fd)) return ec;
  std::uint64_t size = 0;
  if (auto ec = object_size(s.map_fd, size)) return ec;
  if (size >= capacity) return {};  // another process has grown it this far already
  const bool lazy = has_option(s.options, map_options::delay_allocate_pages);
  const bool huge = has_option(s.options, map_options::huge_pages) && !s.hugetlb;
  const auto kind =
      s.hugetlb ? posix::reservation_kind::huge_pages : posix::reservation_kind::memory;
  const char* what = s.hugetlb ? "anonymous huge pages"
                     : s.hold  ? "shared memory"
                               : "anonymous shared memory";
  // The same check and reservation as at creation: check_reservation does not ask again for what
  // the object already holds, so only the grown part is checked and reserved.
  if (auto ec = size_object(s.map_fd, capacity, lazy, huge, kind, what)) {
    std::uint64_t now = 0;
    // The huge-page reservation sizes the object before it touches the pages: put it back.
    if (!object_size(s.map_fd, now) && now != size)
      posix::sys().ftruncate(s.map_fd, static_cast<off_t>(size));
    return ec;
  }
  return {};
}

std::error_code section_capacity(const section& s, std::uint64_t known,
                                 std::uint64_t& capacity) noexcept {
  std::uint64_t now = known;
  if (s.hold) {
    if (s.persisted) {
      now = posix::persisted_record_capacity(s.hold.fd());
      if (now == 0) return corrupt();
    } else if (auto ec = object_size(s.map_fd, now)) {
      return ec;
    }
  }
  capacity = now > known ? now : known;
  return {};
}

// ---- Views --------------------------------------------------------------------------------------

std::error_code map_view(const section& s, std::uint64_t offset, std::size_t length,
                         access view_acc, void*& base) noexcept {
  if (offset > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max()))
    return make_errc(std::errc::result_out_of_range);
  int prot = PROT_READ;
  int flags = MAP_SHARED;
  switch (view_acc) {
    case access::read:
      break;
    case access::read_write:
    case access::write:  // POSIX has no write-only pages; the view's API refuses reads
      prot |= PROT_WRITE;
      break;
    case access::copy_on_write:
      prot |= PROT_WRITE;
      flags = MAP_PRIVATE;
      break;
    case access::read_execute:
      prot |= PROT_EXEC;
      break;
    case access::read_write_execute:
      prot |= PROT_WRITE | PROT_EXEC;
      break;
  }
  const bool want_huge = has_option(s.options, map_options::huge_pages) && length >= huge_page;
  void* p = want_huge ? mmap_huge_aligned(length, prot, flags, s.map_fd, static_cast<off_t>(offset))
                      : posix::sys().mmap(nullptr, length, prot, flags, s.map_fd,
                                          static_cast<off_t>(offset));
  if (p == MAP_FAILED) {
    const int e = errno;
    if (e == EACCES || e == EPERM) return make_errc(std::errc::permission_denied);
    if (e == ENOMEM || e == EOVERFLOW) return make_errc(std::errc::not_enough_memory);
    return {e, std::system_category()};
  }
  if (has_option(s.options, map_options::populate)) {
    // Prefault the whole view in one call instead of one fault per page (Linux 5.14+). Older
    // kernels say EINVAL: the view then simply faults on demand.
    const bool writable = (prot & PROT_WRITE) != 0 && flags & MAP_SHARED;
    ::madvise(p, length, writable ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
  }
  base = p;
  return {};
}

void unmap_view(void* base, std::size_t length) noexcept {
  ::munmap(base, length);
}

std::error_code flush_view(const section& s, void* base, std::size_t length) noexcept {
  if (!s.persisted) return {};
  // msync(MS_ASYNC) does nothing on Linux; MS_SYNC writes the range's pages and waits. fdatasync
  // then makes a grown file's new size durable too.
  if (::msync(base, length, MS_SYNC) != 0) return last_error();
  if (::fdatasync(s.map_fd) != 0) return last_error();
  return {};
}

// ---- Page control -------------------------------------------------------------------------------

std::error_code flush_view_async(const section& s, void* base, std::size_t length,
                                 std::uint64_t file_offset) noexcept {
  if (!s.persisted) return {};
  // msync(MS_ASYNC) is what POSIX offers, but Linux does nothing for it (dirty pages of a shared
  // mapping are tracked in the page cache already); sync_file_range(SYNC_FILE_RANGE_WRITE)
  // starts the writeback of the range and returns without waiting for it.
  if (::msync(base, length, MS_ASYNC) != 0) return last_error();
  if (::sync_file_range(s.map_fd, static_cast<off_t>(file_offset), static_cast<off_t>(length),
                        SYNC_FILE_RANGE_WRITE) != 0) {
    const int e = errno;
    // A file system or kernel without it: the pages still reach the file in due course.
    if (e != EINVAL && e != ENOSYS && e != ESPIPE) return {e, std::system_category()};
  }
  return {};
}

std::error_code advise_view(void* base, std::size_t length, access view_acc, advice a) noexcept {
  int hint = MADV_NORMAL;
  switch (a) {
    case advice::normal:
      break;
    case advice::sequential:
      hint = MADV_SEQUENTIAL;
      break;
    case advice::random:
      hint = MADV_RANDOM;
      break;
    case advice::will_need:
      hint = MADV_WILLNEED;
      break;
    case advice::dont_need:
      // On a MAP_SHARED view MADV_DONTNEED only drops this process's page-table entries (a dirty
      // page is marked dirty in the page cache first): every view, here or in another process,
      // still reads the same bytes. On a MAP_PRIVATE (copy-on-write) view it would throw away
      // the private changes, which exist nowhere else: MADV_COLD only moves the pages to the
      // front of the reclaim queue, from which they are swapped, never discarded.
#ifdef MADV_COLD
      hint = view_acc == access::copy_on_write ? MADV_COLD : MADV_DONTNEED;
#else
      if (view_acc == access::copy_on_write) return {};
      hint = MADV_DONTNEED;
#endif
      break;
  }
  if (::madvise(base, length, hint) != 0) {
    const int e = errno;
    // EINVAL: a hint this kernel or this kind of mapping (hugetlbfs, a kernel before MADV_COLD)
    // does not take; EAGAIN: no resources for the read-ahead now. A hint is allowed to do nothing.
    if (e == EINVAL || e == EAGAIN) return {};
    return {e, std::system_category()};
  }
  return {};
}

std::error_code lock_view(void* base, std::size_t length) noexcept {
  if (::mlock(base, length) != 0) {
    const int e = errno;
    // ENOMEM: past RLIMIT_MEMLOCK; EPERM: that limit is 0 (without CAP_IPC_LOCK); EAGAIN: some
    // pages could not be locked. Each means "not that much memory may be locked".
    if (e == ENOMEM || e == EPERM || e == EAGAIN) return make_errc(std::errc::not_enough_memory);
    return {e, std::system_category()};
  }
  return {};
}

std::error_code unlock_view(void* base, std::size_t length) noexcept {
  if (::munlock(base, length) != 0) return last_error();
  return {};
}

}  // namespace mmf::detail::platform
