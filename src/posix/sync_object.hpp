// mmf — the shared layout of the POSIX named synchronisation objects, and how they are created,
// validated and mapped.
//
// Each object is a small named shared object (src/posix/named_object.hpp: liveness, lifetime,
// atomic creation and security live there) holding one of the structs below. The struct is built
// inside named_spec::init, before the object is published, so nobody ever sees it half made, and
// it starts with a header that named_spec::validate checks: an object of the wrong size, magic,
// version or kind (a corrupt file, or a foreign one under our name) is refused with
// std::errc::invalid_argument. The layouts are the wire format between processes (and library
// versions): change one only together with sync_version.
//
// The mutex, the event and the semaphore (src/posix/mutex.cpp, event.cpp, semaphore.cpp) each
// define their operations on top; what a handle of each holds is also here, so that the deleter
// and the operations agree on it.
#pragma once

#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <system_error>
#include <utility>

#include "errors.hpp"
#include "named_object.hpp"
#include "platform.hpp"
#include "wait.hpp"

namespace mmf::detail::platform {

// The waiting primitives, as the mutex, event and semaphore files use them.
using posix::deadline;
using posix::futex_wait;
using posix::futex_wake;
using posix::low_half;
using posix::make_deadline;
using posix::no_error;
using posix::note_signaller;
using posix::spinner;
using posix::this_thread_id;

inline std::error_code sys_error(int e) noexcept {
  return {e, std::system_category()};
}

// ---- Shared layouts -----------------------------------------------------------------------------

constexpr std::uint32_t sync_magic = 0x53464d4d;  // "MMFS" in little-endian bytes
constexpr std::uint16_t sync_version = 1;

enum class sync_kind : std::uint16_t { mutex = 1, event = 2, semaphore = 3 };

struct sync_header {
  std::uint32_t magic;
  std::uint16_t version;
  sync_kind kind;
  std::uint32_t size;  // sizeof the whole struct
  std::uint32_t reserved;
};

static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
static_assert(sizeof(std::atomic<std::uint64_t>) == sizeof(std::uint64_t));
static_assert(sizeof(pid_t) == sizeof(std::int32_t));

struct shared_mutex {
  sync_header header;
  std::atomic<std::int32_t> owner;       // tid of the owning thread, 0 when unowned
  std::atomic<std::uint32_t> depth;      // recursion levels of the owner (written by the owner)
  std::atomic<std::uint32_t> abandoned;  // 1: released by mutex_abandon_if_owned
  // 1 while the current ownership began by taking over from a dead or destroying owner (the
  // acquisition that reported lock_status::abandoned); written by the owner only.
  std::atomic<std::uint32_t> taken_over;
  pthread_mutex_t mutex;
};

struct shared_event {
  sync_header header;
  std::uint32_t mode;                          // 0 manual, 1 automatic
  std::atomic<std::uint32_t> signaller_cpu;    // CPU of the last set(), plus one; 0: unknown
  alignas(8) std::atomic<std::uint64_t> word;  // low: futex state, high: registered waiters
};

struct shared_semaphore {
  sync_header header;
  std::atomic<std::uint32_t> count;  // the futex word
  std::uint32_t maximum;
  std::atomic<std::uint32_t> waiters;
  std::atomic<std::uint32_t> signaller_cpu;  // CPU of the last release(), plus one; 0: unknown
};

template <class T>
constexpr sync_kind kind_of();
template <>
constexpr sync_kind kind_of<shared_mutex>() {
  return sync_kind::mutex;
}
template <>
constexpr sync_kind kind_of<shared_event>() {
  return sync_kind::event;
}
template <>
constexpr sync_kind kind_of<shared_semaphore>() {
  return sync_kind::semaphore;
}

template <class T>
inline sync_header make_header() noexcept {
  return sync_header{sync_magic, sync_version, kind_of<T>(), static_cast<std::uint32_t>(sizeof(T)),
                     0};
}

// ---- Handles ------------------------------------------------------------------------------------

struct mutex_object {
  posix::named_object hold;
  shared_mutex* shared = nullptr;
  // Levels taken through this object by the current owner (only touched while owning it): a
  // named_mutex abandons the mutex on destruction only when it was locked through it.
  std::uint32_t levels = 0;
};

struct event_object {
  posix::named_object hold;
  shared_event* shared = nullptr;
  std::atomic<std::uint32_t> spin{posix::spin_initial};  // this handle's spin budget (spinner)
};

struct semaphore_object {
  posix::named_object hold;
  shared_semaphore* shared = nullptr;
  std::atomic<std::uint32_t> spin{posix::spin_initial};
};

// ---- Creation, validation, mapping --------------------------------------------------------------

// Sizes a new object's file (reserving its pages, so a full tmpfs is an error now, not a SIGBUS
// later) and maps one.
std::error_code size_object(int fd, std::size_t size) noexcept;
// nullptr on failure (errno set).
void* map_object(int fd, std::size_t size) noexcept;

template <class T>
std::error_code validate_object(int fd, const struct ::stat& st) noexcept {
  if (st.st_size != static_cast<off_t>(sizeof(T))) return make_errc(std::errc::invalid_argument);
  sync_header h{};
  ssize_t n = 0;
  do {
    n = pread(fd, &h, sizeof h, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error(errno);
  const sync_header want = make_header<T>();
  if (static_cast<std::size_t>(n) != sizeof h || h.magic != want.magic ||
      h.version != want.version || h.kind != want.kind || h.size != want.size)
    return make_errc(std::errc::invalid_argument);
  return {};
}

// What init leaves behind: the mapping of the object it built (and the inode, to recognise it
// once published), so the creator keeps using that mapping. A creator that lost the race (or
// whose creation failed later) must undo it with `undo`.
template <class T>
struct built {
  T* object = nullptr;
  dev_t dev = 0;
  ino_t ino = 0;
};

// Opens or creates the named object of kind `k` holding a T. `fill` initialises a new T (placement
// new already done on zeroed memory) and may return an error; `undo` is called on a built T that
// is not going to be used. On success `out_hold` holds the name and `out` points at the mapped T.
template <class T, class Fill, class Undo>
std::error_code open_sync(disposition how, const object_name& name, posix::kind k, Fill fill,
                          Undo undo, posix::named_object& out_hold, T*& out,
                          bool& created) noexcept {
  built<T> made;
  auto discard = [&] {
    if (made.object != nullptr) {
      undo(*made.object);
      munmap(made.object, sizeof(T));
      made.object = nullptr;
    }
  };
  posix::named_spec spec;
  spec.what = k;
  spec.name = &name;
  spec.writable = true;
  spec.inherit = inheritability::none;
  try {
    spec.init = [&](int fd) -> std::error_code {
      discard();  // a retried creation: forget the previous attempt
      if (auto ec = size_object(fd, sizeof(T))) return ec;
      struct ::stat st {};
      if (fstat(fd, &st) != 0) return sys_error(errno);
      void* p = map_object(fd, sizeof(T));
      if (p == nullptr) return sys_error(errno);
      std::memset(p, 0, sizeof(T));
      T* object = new (p) T{};
      object->header = make_header<T>();
      if (auto ec = fill(*object)) {
        munmap(p, sizeof(T));
        return ec;
      }
      made.object = object;
      made.dev = st.st_dev;
      made.ino = st.st_ino;
      return {};
    };
    spec.validate = [](int fd, const struct ::stat& st) { return validate_object<T>(fd, st); };
  } catch (...) {
    return make_errc(std::errc::not_enough_memory);
  }
  posix::named_object hold;
  bool was_created = false;
  if (auto ec = posix::open_named(how, spec, hold, was_created)) {
    discard();
    return ec;
  }
  T* object = nullptr;
  if (was_created && made.object != nullptr) {
    struct ::stat st {};
    if (fstat(hold.fd(), &st) == 0 && st.st_dev == made.dev && st.st_ino == made.ino)
      object = std::exchange(made.object, nullptr);
  }
  discard();
  if (object == nullptr) {
    // Opened an existing object (or, defensively, a published object we did not map in init).
    void* p = map_object(hold.fd(), sizeof(T));
    if (p == nullptr) return sys_error(errno);
    object = static_cast<T*>(p);
    if (was_created) {
      // Our init's work is not what got published: treat it as opened.
      was_created = false;
    }
  }
  out_hold = std::move(hold);
  out = object;
  created = was_created;
  return {};
}

}  // namespace mmf::detail::platform
