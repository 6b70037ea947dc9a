// mmf — the Windows side of the message queue (the ring is portable: src/queue_ring.hpp).
//
// Kernel objects (Windows keeps one object namespace for every kind, so the queue's names are
// derived from the queue's name with a prefix no map, mutex, event or semaphore of the library
// uses by accident):
//   Local\mmf.queue.<name>            the section holding the queue (paging-file backed)
//   Local\mmf.queue.<name>.wait0      a semaphore: sleepers waiting for "not empty"
//   Local\mmf.queue.<name>.wait1      a semaphore: sleepers waiting for "not full"
// (Global\ instead of Local\ for Global\ names.) Lifetime is the kernel's: the objects go with
// their last handle, also when every holder is killed.
//
// - Creation: CreateFileMappingW creates or opens atomically, but a new section is zero until its
//   creator fills it. The creator fills the header and slots and writes the magic number last
//   (release); an opener waits (up to 2 s, sleeping) for the magic before validating the header.
//   A creator killed before that leaves a queue that openers refuse with
//   resource_unavailable_try_again until its last handle is gone.
// - Participants: the table entry's `started` word holds (process id << 32 | the low 32 bits of
//   the process's creation time), taken by compare-and-swap over 0 or over a dead holder's value;
//   `process` repeats the id for inspection. A holder is alive while OpenProcess finds the id,
//   GetProcessTimes gives the same creation time and GetExitCodeProcess says STILL_ACTIVE; the
//   creation time defeats process-id reuse. A process that cannot be asked (access denied) counts
//   as alive.
// - Waiting: a sleeper registers in the word's waiter count, re-checks the sequence, and waits on
//   the word's semaphore; a waker releases as many counts as there are waiters. Counts left over
//   by waiters that timed out only cause early returns, which callers loop over.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstring>
#include <new>
#include <thread>

#include "win32.hpp"

namespace mmf::detail::platform {

struct queue_object {
  win::unique_handle section;
  win::unique_handle waits[2];
  void* base = nullptr;
  std::uint64_t table_offset = 0;
  std::uint32_t index = UINT32_MAX;  // the participant index held, if any
};

namespace {

std::uint64_t creation_key(HANDLE process) noexcept {
  FILETIME created{}, exited{}, kernel{}, user{};
  if (!::GetProcessTimes(process, &created, &exited, &kernel, &user)) return 0;
  return created.dwLowDateTime;
}

std::uint64_t my_token() noexcept {
  static const std::uint64_t token =
      (std::uint64_t{::GetCurrentProcessId()} << 32) | creation_key(::GetCurrentProcess());
  return token;
}

bool token_alive(std::uint64_t token) noexcept {
  if (token == 0) return false;
  if (token == my_token()) return true;
  const auto pid = static_cast<DWORD>(token >> 32);
  win::unique_handle p(::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
  if (!p) return ::GetLastError() == ERROR_ACCESS_DENIED;  // cannot ask: never declare it dead
  DWORD code = 0;
  if (!::GetExitCodeProcess(p.get(), &code)) return true;
  if (code != STILL_ACTIVE) return false;
  return creation_key(p.get()) == (token & 0xffffffffu);
}

queue_participant* table(queue_object& q) noexcept {
  return reinterpret_cast<queue_participant*>(static_cast<std::byte*>(q.base) + q.table_offset);
}

}  // namespace

void queue_deleter::operator()(queue_object* q) const noexcept {
  if (q == nullptr) return;
  if (q->base != nullptr) {
    if (q->index != UINT32_MAX) table(*q)[q->index].started.store(0, std::memory_order_release);
    ::UnmapViewOfFile(q->base);
  }
  delete q;
}

std::error_code queue_open(disposition how, const queue_request& request, queue_ptr& out,
                           void*& base, std::uint64_t& size, bool& created) noexcept {
  std::wstring section_name, wait_names[2];
  if (auto ec = win::kernel_name(*request.name, section_name, "mmf.queue.")) return ec;
  try {
    wait_names[0] = section_name + L".wait0";
    wait_names[1] = section_name + L".wait1";
  } catch (const std::bad_alloc&) {
    return make_error_code(std::errc::not_enough_memory);
  }
  queue_ptr q(new (std::nothrow) queue_object);
  if (!q) return make_error_code(std::errc::not_enough_memory);
  win::security_attributes sa(inheritability::none);
  bool made = false;
  if (how == disposition::open_existing) {
    q->section.reset(
        ::OpenFileMappingW(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, section_name.c_str()));
    if (!q->section) return win::open_failure(false);
  } else {
    const auto bytes = request.size;
    q->section.reset(::CreateFileMappingW(
        INVALID_HANDLE_VALUE, sa.get(), PAGE_READWRITE | SEC_COMMIT,
        static_cast<DWORD>(bytes >> 32), static_cast<DWORD>(bytes), section_name.c_str()));
    if (!q->section) return win::open_failure(true);
    made = ::GetLastError() != ERROR_ALREADY_EXISTS;
    if (!made && how == disposition::create_new) return make_error_code(std::errc::file_exists);
  }
  for (int i = 0; i < 2; ++i) {
    q->waits[i].reset(::CreateSemaphoreW(sa.get(), 0, LONG_MAX, wait_names[i].c_str()));
    if (!q->waits[i]) return win::open_failure(true);
  }
  void* p = ::MapViewOfFile(q->section.get(), FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
  if (p == nullptr) return win::last_error();
  q->base = p;
  MEMORY_BASIC_INFORMATION info{};
  if (::VirtualQuery(p, &info, sizeof info) == 0) return win::last_error();
  if (made) {
    request.init(p, request.context);
    size = request.size;
  } else {
    // Wait for the creator to finish filling it (the magic number is written last).
    const std::atomic_ref<std::uint32_t> magic(*static_cast<std::uint32_t*>(p));
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (magic.load(std::memory_order_acquire) == 0) {
      if (std::chrono::steady_clock::now() > give_up)
        return make_error_code(std::errc::resource_unavailable_try_again);
      ::Sleep(1);
    }
    if (info.RegionSize < 256) return make_error_code(std::errc::invalid_argument);
    std::uint64_t total = 0;
    std::memcpy(&total, static_cast<const std::byte*>(p) + 40, sizeof total);  // total_size
    if (total > info.RegionSize) return make_error_code(std::errc::invalid_argument);
    if (auto ec = request.validate(p, total)) return ec;
    size = total;
  }
  base = p;
  created = made;
  out = std::move(q);
  return {};
}

std::error_code queue_join(queue_object& q, std::uint64_t table_offset, std::uint32_t count,
                           std::uint32_t& index) noexcept {
  q.table_offset = table_offset;
  queue_participant* entries = table(q);
  const std::uint64_t mine = my_token();
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint64_t seen = entries[i].started.load(std::memory_order_acquire);
    if (seen != 0 && token_alive(seen)) continue;
    if (entries[i].started.compare_exchange_strong(seen, mine, std::memory_order_seq_cst)) {
      entries[i].process.store(::GetCurrentProcessId(), std::memory_order_relaxed);
      q.index = i;
      index = i;
      return {};
    }
  }
  return make_error_code(std::errc::resource_unavailable_try_again);
}

bool queue_participant_held(queue_object& q, std::uint32_t index) noexcept {
  return token_alive(table(q)[index].started.load(std::memory_order_acquire));
}

std::error_code queue_wait(queue_object& q, queue_wait_word& word, std::uint32_t expected,
                           std::chrono::nanoseconds timeout) noexcept {
  HANDLE sem = q.waits[word.id & 1].get();
  word.waiters.fetch_add(1, std::memory_order_seq_cst);
  DWORD r = WAIT_OBJECT_0;
  if (word.sequence.load(std::memory_order_seq_cst) == expected) r = win::wait(sem, timeout);
  word.waiters.fetch_sub(1, std::memory_order_seq_cst);
  if (r == WAIT_FAILED) return win::last_error();
  return {};
}

void queue_wake(queue_object& q, queue_wait_word& word) noexcept {
  const std::uint32_t n = word.waiters.load(std::memory_order_seq_cst);
  if (n == 0) return;
  ::ReleaseSemaphore(q.waits[word.id & 1].get(),
                     static_cast<LONG>(std::min<std::uint32_t>(n, 1u << 20)), nullptr);
}

}  // namespace mmf::detail::platform
