// mmf — the POSIX side of the message queue (the ring is portable: src/queue_ring.hpp).
//
// - The queue is a named object of kind `queue` (named_object.hpp: mmf.<scope>.queue.<name>; the
//   same liveness, atomic creation, lifetime and security as every named object). A new queue is
//   sized with the reservation rule of every object (backing.hpp), mapped and filled by the core's
//   init before it is published; an existing one is validated from its header before it is mapped.
// - Participants: the handle holding index i keeps an OFD write lock (F_OFD_SETLK) on byte
//   `table_offset + 16 i` of the queue's file — the first byte of its table entry. OFD locks
//   belong to the open file description, so each handle (each open of the queue) has its own, the
//   kernel drops them when the process dies (also by SIGKILL), and they do not interact with the
//   flock that named_object holds on the same file. Liveness is F_OFD_GETLK: a conflicting lock
//   means a live holder. Classic F_SETLK locks would not do: any close() of the file in the process
//   drops them (RELIABILITY.md). PIDs are never used.
// - Waiting: a bounded adaptive spin (wait.hpp's spinner), then a shared futex wait on the word's
//   sequence to an absolute CLOCK_MONOTONIC deadline; the waiter count lets signallers skip the
//   wake when nobody sleeps.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <new>

#include "errors.hpp"
#include "platform.hpp"
#include "posix/backing.hpp"
#include "posix/map_support.hpp"
#include "posix/named_object.hpp"
#include "posix/wait.hpp"

namespace mmf::detail::platform {

struct queue_object {
  posix::named_object hold;
  void* base = nullptr;
  std::size_t size = 0;
  std::uint64_t table_offset = 0;
  std::atomic<std::uint32_t> spin{posix::spin_initial};  // this handle's spin budget
};

void queue_deleter::operator()(queue_object* q) const noexcept {
  if (q == nullptr) return;
  if (q->base != nullptr) ::munmap(q->base, q->size);
  // Closing the descriptor (in hold's release) drops the participant lock with it.
  delete q;
}

namespace {

// The header bytes validate() reads (queue_header is 256 bytes, 64-byte aligned).
constexpr std::size_t header_bytes = 256;

void* map_queue(int fd, std::size_t size) noexcept {
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  return p == MAP_FAILED ? nullptr : p;
}

int ofd_lock(int fd, int command, short type, std::uint64_t offset, struct ::flock& fl) noexcept {
  std::memset(&fl, 0, sizeof fl);
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = static_cast<off_t>(offset);
  fl.l_len = 1;
  fl.l_pid = 0;  // required by F_OFD_*
  int rc = 0;
  do {
    rc = ::fcntl(fd, command, &fl);
  } while (rc != 0 && errno == EINTR);
  return rc;
}

}  // namespace

std::error_code queue_open(disposition how, const queue_request& request, queue_ptr& out,
                           void*& base, std::uint64_t& size, bool& created) noexcept {
  queue_ptr result(new (std::nothrow) queue_object);
  if (!result) return make_errc(std::errc::not_enough_memory);
  struct built {
    void* base = nullptr;
    std::size_t size = 0;
    dev_t dev = 0;
    ino_t ino = 0;
  } made;
  auto discard = [&] {
    if (made.base != nullptr) ::munmap(made.base, made.size);
    made.base = nullptr;
  };
  posix::named_spec spec;
  spec.what = posix::kind::queue;
  spec.name = request.name;
  spec.writable = true;
  spec.inherit = inheritability::none;
  try {
    spec.init = [&](int fd) -> std::error_code {
      discard();  // a retried creation: forget the previous attempt
      if (request.size < header_bytes || request.size > SIZE_MAX)
        return make_errc(std::errc::invalid_argument);
      const auto bytes = static_cast<std::size_t>(request.size);
      if (auto ec = size_object(fd, bytes, false, false, posix::reservation_kind::memory,
                                "a message queue"))
        return ec;
      struct ::stat st {};
      if (::fstat(fd, &st) != 0) return last_error();
      void* p = map_queue(fd, bytes);
      if (p == nullptr) return space_error(errno);
      request.init(p, request.context);
      made = built{p, bytes, st.st_dev, st.st_ino};
      return {};
    };
    spec.validate = [&](int fd, const struct ::stat& st) -> std::error_code {
      if (st.st_size < static_cast<off_t>(header_bytes)) return corrupt();
      alignas(64) unsigned char header[header_bytes];
      ssize_t n = 0;
      do {
        n = ::pread(fd, header, sizeof header, 0);
      } while (n < 0 && errno == EINTR);
      if (n < 0) return last_error();
      if (static_cast<std::size_t>(n) != sizeof header) return corrupt();
      return request.validate(header, static_cast<std::uint64_t>(st.st_size));
    };
  } catch (...) {
    return make_errc(std::errc::not_enough_memory);
  }
  posix::named_object hold;
  bool was_created = false;
  if (auto ec = posix::open_named(how, spec, hold, was_created)) {
    discard();
    return ec;
  }
  struct ::stat st {};
  if (::fstat(hold.fd(), &st) != 0) {
    discard();
    return last_error();
  }
  void* p = nullptr;
  std::size_t bytes = 0;
  if (was_created && made.base != nullptr && st.st_dev == made.dev && st.st_ino == made.ino) {
    p = made.base;
    bytes = made.size;
    made.base = nullptr;
  } else {
    discard();
    was_created = false;
    if (static_cast<std::uint64_t>(st.st_size) > SIZE_MAX)
      return make_errc(std::errc::not_enough_memory);
    bytes = static_cast<std::size_t>(st.st_size);
    p = map_queue(hold.fd(), bytes);
    if (p == nullptr) return space_error(errno);
    // The header was checked before the open; check the mapping too (the size is settled: an
    // object is never resized once published).
    if (auto ec = request.validate(p, bytes)) {
      ::munmap(p, bytes);
      return ec;
    }
  }
  result->hold = std::move(hold);
  result->base = p;
  result->size = bytes;
  base = p;
  size = bytes;
  created = was_created;
  out = std::move(result);
  return {};
}

std::error_code queue_join(queue_object& q, std::uint64_t table_offset, std::uint32_t count,
                           std::uint32_t& index) noexcept {
  q.table_offset = table_offset;
  for (std::uint32_t i = 0; i < count; ++i) {
    struct ::flock fl {};
    if (ofd_lock(q.hold.fd(), F_OFD_SETLK, F_WRLCK, table_offset + 16u * i, fl) == 0) {
      index = i;
      return {};
    }
    if (errno != EAGAIN && errno != EACCES) return last_error();
  }
  return make_errc(std::errc::resource_unavailable_try_again);
}

bool queue_participant_held(queue_object& q, std::uint32_t index) noexcept {
  struct ::flock fl {};
  if (ofd_lock(q.hold.fd(), F_OFD_GETLK, F_WRLCK, q.table_offset + 16u * index, fl) != 0)
    return true;  // cannot tell: never declare a participant dead on a failed question
  return fl.l_type != F_UNLCK;
}

std::error_code queue_wait(queue_object& q, queue_wait_word& word, std::uint32_t expected,
                           std::chrono::nanoseconds timeout) noexcept {
  posix::spinner spin(q.spin);
  if (spin.spin(word.signaller_cpu,
                [&] { return word.sequence.load(std::memory_order_acquire) != expected; }))
    return {};
  const posix::deadline d = posix::make_deadline(timeout);
  word.waiters.fetch_add(1, std::memory_order_seq_cst);
  int rc = 0;
  if (word.sequence.load(std::memory_order_seq_cst) == expected)
    rc = posix::futex_wait(&word.sequence, expected, d.get());
  word.waiters.fetch_sub(1, std::memory_order_seq_cst);
  spin.slept(rc == 0 || rc == EAGAIN);
  if (rc != 0 && rc != EAGAIN && rc != EINTR && rc != ETIMEDOUT)
    return {rc, std::system_category()};
  return {};
}

void queue_wake(queue_object&, queue_wait_word& word) noexcept {
  posix::note_signaller(word.signaller_cpu);
  posix::futex_wake(&word.sequence, INT_MAX);
}

}  // namespace mmf::detail::platform
