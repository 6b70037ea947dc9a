// mmf — random access to one view of a memory-mapped file.
//
// A view_accessor is created by memory_mapped_file::create_view_accessor(). It maps a range of
// the map into this process and gives typed, bounds-checked reads and writes at any position
// (no alignment needed). Reads and writes are plain memory accesses, inlined: there is no lock,
// no reference count and no private buffer. A write is in the shared memory when the call returns,
// so every other view of the same map, in this or another process, sees it at once.
//
// Lifetime: the accessor keeps the mapping (and the map's kernel object) alive, even after the
// memory_mapped_file it came from is closed. Destroying it unmaps the view; nothing is written to
// disk by that (the page cache keeps the data): call flush() for durability.
//
// Threads: const members may be called from several threads at once. Concurrent reads and writes
// of the same bytes are data races unless the caller synchronises them (a named_mutex, or atomics
// over bytes()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <system_error>
#include <type_traits>

#include <mmf/access.hpp>
#include <mmf/error.hpp>
#include <mmf/export.hpp>

namespace mmf {

class memory_mapped_file;

// A hint for advise(): how a range of a view will be used (madvise on POSIX). Never loses data.
//   normal      no special treatment (the default read-ahead)
//   sequential  read ahead aggressively; pages behind may be freed early
//   random      little or no read-ahead
//   will_need   start reading the range in now (PrefetchVirtualMemory on Windows)
//   dont_need   the range is not needed soon: its memory may be reclaimed first. The data stays
//               readable by this and every other view: on a shared view the pages are only
//               unmapped from this process (the page cache or the shared memory keeps them); on a
//               copy-on-write view, whose changes exist nowhere else, it is only a reclaim hint
//               (MADV_COLD where the kernel has it, else nothing).
enum class advice : std::uint8_t { normal, sequential, random, will_need, dont_need };

namespace detail {

struct map_state;

// Why an inline fast path failed; the cold, out-of-line thrower turns it into an mmf::error.
enum class view_failure : std::uint8_t { empty, not_readable, not_writable, out_of_range };
[[noreturn]] MMF_API void throw_view_failure(view_failure why, const char* operation,
                                             std::uint64_t position, std::uint64_t length,
                                             std::uint64_t capacity);

// Copies the sizeof(T) bytes at `from` into `out`; a bool is true for any non-zero byte.
template <class T>
void load(const std::byte* from, T& out) noexcept {
  if constexpr (std::is_same_v<T, bool>)
    out = *from != std::byte{0};
  else
    std::memcpy(&out, from, sizeof(T));
}

// One mapped range: the part shared by view_accessor and view_stream. Move-only; unmaps on
// destruction and on move-assignment.
class MMF_API view_base {
 public:
  view_base() noexcept = default;
  view_base(view_base&& other) noexcept;
  view_base& operator=(view_base&& other) noexcept;
  view_base(const view_base&) = delete;
  view_base& operator=(const view_base&) = delete;
  ~view_base();

  bool valid() const noexcept { return owner_ != nullptr; }
  std::byte* data() const noexcept { return data_; }
  std::uint64_t size() const noexcept { return size_; }
  std::uint64_t pointer_offset() const noexcept { return pointer_offset_; }
  bool can_read() const noexcept { return readable_; }
  bool can_write() const noexcept { return writable_; }
  access view_access() const noexcept { return access_; }
  // size() when the view can be read (written), else 0: one compare checks both the access and
  // the bounds on the inline fast paths.
  std::uint64_t read_limit() const noexcept { return read_limit_; }
  std::uint64_t write_limit() const noexcept { return write_limit_; }
  // Writes the view's dirty pages to the backing file and waits (no-op for non-persisted maps
  // and copy-on-write views). Throws bad_file_descriptor on an empty view.
  void flush(const char* operation) const;
  // The error_code form of flush(): returns the error instead of throwing.
  std::error_code try_flush() const noexcept;

  // Page control over [offset, offset + size) of the view (size 0: to the end), widened to whole
  // pages. Throws bad_file_descriptor (empty view), result_out_of_range (the range is not inside
  // the view), invalid_argument (an advice outside its enumerators) or the OS's error, each naming
  // `operation`. Documented on view_accessor.
  enum class page_op : std::uint8_t { flush, flush_async, advise, lock, unlock };
  void page_control(page_op op, advice a, std::uint64_t offset, std::uint64_t size,
                    const char* operation) const;

 private:
  friend class mmf::memory_mapped_file;
  void reset() noexcept;

  std::byte* data_ = nullptr;         // first byte of the view (map_base_ + pointer_offset_)
  std::uint64_t size_ = 0;            // bytes asked for
  std::uint64_t pointer_offset_ = 0;  // offset % allocation_granularity()
  std::uint64_t map_offset_ = 0;      // the map offset where the mapping starts
  void* map_base_ = nullptr;          // what the OS mapped (nullptr for an empty view)
  std::size_t map_length_ = 0;
  bool readable_ = false;
  bool writable_ = false;
  std::uint64_t read_limit_ = 0;
  std::uint64_t write_limit_ = 0;
  access access_ = access::read;
  std::shared_ptr<map_state> owner_;  // keeps the map's handles (and its name) alive
};

}  // namespace detail

class MMF_API view_accessor {
 public:
  // An empty accessor: capacity() is 0, bytes() is empty; other members throw
  // bad_file_descriptor.
  view_accessor() noexcept = default;
  view_accessor(view_accessor&&) noexcept = default;
  view_accessor& operator=(view_accessor&&) noexcept = default;
  view_accessor(const view_accessor&) = delete;
  view_accessor& operator=(const view_accessor&) = delete;
  ~view_accessor() = default;

  explicit operator bool() const noexcept { return view_.valid(); }

  // Exactly the bytes asked for when the view was created (not rounded to a page).
  std::uint64_t capacity() const noexcept { return view_.size(); }
  // The view's offset modulo allocation_granularity(), as .NET's PointerOffset.
  std::uint64_t pointer_offset() const noexcept { return view_.pointer_offset(); }
  bool can_read() const noexcept { return view_.can_read(); }
  bool can_write() const noexcept { return view_.can_write(); }

  // Reads a T at `position` (no alignment needed). A bool is read as .NET's ReadBoolean reads it:
  // any non-zero byte is true (the byte is never copied into the bool, which would make an invalid
  // bool of a byte such as 2). Other types get their bytes as they are: a struct with bool members
  // read from untrusted memory should hold those as std::uint8_t.
  // Errors: result_out_of_range if [position, position + sizeof(T)) is not inside the view;
  // permission_denied on a write-only view; bad_file_descriptor on an empty accessor.
  template <class T>
  requires std::is_trivially_copyable_v<T> T read(std::uint64_t position)
  const {
    T value;
    read(position, value);
    return value;
  }
  template <class T>
  requires std::is_trivially_copyable_v<T>
  void read(std::uint64_t position, T& out) const {
    detail::load(at<sizeof(T)>(position, view_.read_limit(), detail::view_failure::not_readable,
                               "view_accessor::read"),
                 out);
  }

  // Writes `value` at `position`; it is in the shared memory when the call returns.
  // Errors: result_out_of_range, permission_denied (view without write access),
  // bad_file_descriptor.
  template <class T>
  requires std::is_trivially_copyable_v<T>
  void write(std::uint64_t position, const T& value) {
    std::memcpy(at<sizeof(T)>(position, view_.write_limit(), detail::view_failure::not_writable,
                              "view_accessor::write"),
                &value, sizeof(T));
  }

  // Reads up to out.size() elements starting at `position` and returns how many were read:
  // fewer near the end of the view, 0 at or past it. Elements after the returned count are left
  // untouched. bool elements are read as read<bool>() reads them.
  // Errors: permission_denied, bad_file_descriptor.
  template <class T>
  requires std::is_trivially_copyable_v<T> std::size_t read_array(std::uint64_t position,
                                                                  std::span<T> out)
  const {
    if (!view_.can_read()) [[unlikely]]
      fail(detail::view_failure::not_readable, "view_accessor::read_array", position, 0);
    const std::uint64_t size = view_.size();
    if (position >= size) return 0;
    const std::uint64_t fit = (size - position) / sizeof(T);
    const std::size_t count = fit < out.size() ? static_cast<std::size_t>(fit) : out.size();
    const std::byte* from = view_.data() + static_cast<std::size_t>(position);
    if constexpr (std::is_same_v<T, bool>) {
      for (std::size_t i = 0; i < count; ++i)
        detail::load(from + i, out[i]);
    } else if (count != 0) {
      std::memcpy(out.data(), from, count * sizeof(T));
    }
    return count;
  }

  // Writes all of `values` at `position`, or nothing: result_out_of_range if they do not fit.
  // Errors: result_out_of_range, permission_denied, bad_file_descriptor.
  template <class T>
  requires std::is_trivially_copyable_v<T>
  void write_array(std::uint64_t position, std::span<const T> values) {
    const std::uint64_t size = view_.size();
    if (!view_.can_write() || position > size || values.size() > (size - position) / sizeof(T))
        [[unlikely]]
      fail(view_.can_write() ? detail::view_failure::out_of_range
                             : detail::view_failure::not_writable,
           "view_accessor::write_array", position,
           static_cast<std::uint64_t>(values.size()) * sizeof(T));
    if (!values.empty())
      std::memcpy(view_.data() + static_cast<std::size_t>(position), values.data(),
                  values.size() * sizeof(T));
  }
  // Convenience for containers and spans of non-const T.
  template <class T>
  requires std::is_trivially_copyable_v<T>
  void write_array(std::uint64_t position, std::span<T> values) {
    write_array(position, std::span<const T>(values));
  }

  // ---- Guarded copies
  //
  // copy_to copies [position, position + out.size()) of the view into `out`; copy_from copies `in`
  // to [position, position + in.size()). Unlike read_array()/write_array() and bytes(), a page that
  // no longer exists (a persisted map whose file was truncated, by this or another process) does
  // not kill the process with SIGBUS (an in-page error on Windows): the copy stops there and
  // reports io_error. Both return the bytes copied: out.size() (in.size()) on success; on io_error
  // the bytes before the vanished page, all of them copied. The copy runs in chunks of 64 KiB
  // aligned to the view's memory; bytes of the chunk that faulted are not counted and may or may
  // not have been copied (copy_to: `out` past the count holds unspecified bytes). Errors (the
  // error_code forms return them in `ec` and return 0 for all but io_error; `ec` is cleared on
  // success): bad_file_descriptor on an empty accessor; permission_denied on a view without read
  // (copy_to) or write (copy_from) access; result_out_of_range when position > capacity() or the
  // size does not fit after it (nothing is copied); io_error as above. An empty span at position <=
  // capacity() copies nothing and succeeds. Threads: any number of threads may run guarded copies
  // at once. Signals: the first guarded copy of the process installs a SIGBUS handler (POSIX),
  // remembering the handler the program had; a SIGBUS that is not a guarded copy's fault is passed
  // to that handler (or to the default action, which ends the process), with the same signal mask
  // and SA_SIGINFO arguments. A handler the program installs after that first copy replaces mmf's:
  // guarded copies then get no protection (the program's handler sees their faults). Windows: a
  // vectored exception handler for EXCEPTION_IN_PAGE_ERROR; other exceptions go on untouched. See
  // README.md, "Guarded copies". Cost: the normal path is memcpy in 64 KiB chunks plus a setjmp and
  // the checks once per call: within memcpy's time for large copies, about 1.2x memcpy for 4 KiB
  // copies (docs/performance.md).
  std::size_t copy_to(std::uint64_t position, std::span<std::byte> out,
                      std::error_code& ec) const noexcept;
  std::size_t copy_from(std::uint64_t position, std::span<const std::byte> in,
                        std::error_code& ec) noexcept;
  // Throwing forms: the same, throwing mmf::error naming the call; on io_error the error's message
  // gives the bytes copied before the fault.
  std::size_t copy_to(std::uint64_t position, std::span<std::byte> out) const;
  std::size_t copy_from(std::uint64_t position, std::span<const std::byte> in);

  // The view's bytes, for zero-copy use (e.g. std::atomic_ref over them). Empty on an empty
  // accessor. Writing through the span of a view without write access crashes (SIGSEGV).
  std::span<std::byte> bytes() noexcept {
    return {view_.data(), static_cast<std::size_t>(view_.size())};
  }
  std::span<const std::byte> bytes() const noexcept {
    return {view_.data(), static_cast<std::size_t>(view_.size())};
  }

  // Writes the view's dirty pages to the backing file and waits until they are on disk
  // (msync(MS_SYNC) + fdatasync; FlushViewOfFile + FlushFileBuffers on Windows). A no-op for
  // non-persisted maps and copy-on-write views. Errors: bad_file_descriptor, or the OS's error.
  void flush() { view_.flush("view_accessor::flush"); }

  // ---- Page control (msync, madvise, mlock; FlushViewOfFile, PrefetchVirtualMemory, VirtualLock)
  //
  // Each takes a range relative to the view: [offset, offset + size), size 0 meaning "to the end
  // of the view"; the range is widened to whole pages, so bytes just outside it that share its
  // first or last page are affected too. An empty range (an empty view, or offset == capacity()
  // with size 0) does nothing. Common errors: result_out_of_range when offset > capacity() or
  // offset + size > capacity() (overflow included), bad_file_descriptor on an empty accessor; the
  // message names the call (e.g. "view_accessor::lock_in_memory"). Nothing is changed on error.

  // Writes the range's dirty pages to the backing file and waits until they are on disk (as
  // flush(), for that range only: msync(MS_SYNC) + fdatasync; FlushViewOfFile + FlushFileBuffers).
  // A no-op for non-persisted maps and copy-on-write views. Errors: the common ones, or the OS's
  // error (e.g. io_error).
  void flush(std::uint64_t offset, std::uint64_t size) {
    view_.page_control(detail::view_base::page_op::flush, advice::normal, offset, size,
                       "view_accessor::flush");
  }
  // Starts writing the range's dirty pages to the backing file and returns without waiting
  // (Linux: sync_file_range(SYNC_FILE_RANGE_WRITE), since msync(MS_ASYNC) does nothing there;
  // Windows: FlushViewOfFile without FlushFileBuffers). Nothing is durable until a flush() that
  // waits returns. A no-op for non-persisted maps and copy-on-write views. Errors: the common ones.
  void flush_async(std::uint64_t offset = 0, std::uint64_t size = 0) {
    view_.page_control(detail::view_base::page_op::flush_async, advice::normal, offset, size,
                       "view_accessor::flush_async");
  }
  // Tells the OS how the range will be used (see mmf::advice); a hint that never loses data and
  // never changes what any view reads. POSIX: madvise (a hint the kernel cannot take, e.g. on
  // huge pages, is ignored). Windows: will_need prefetches the range (Windows 8 and later); the
  // other hints have no equivalent for a view there and do nothing.
  // Errors: the common ones, invalid_argument for a value outside the enumerators.
  void advise(advice a, std::uint64_t offset = 0, std::uint64_t size = 0) const {
    view_.page_control(detail::view_base::page_op::advise, a, offset, size,
                       "view_accessor::advise");
  }
  // Locks the range's pages in physical memory (mlock / VirtualLock): they are read in now and
  // not paged out until unlock_from_memory() or the view is closed (munmap drops the lock; on
  // Windows unmapping does too). Locks do not nest: one unlock releases any number of locks.
  // Errors: the common ones; not_enough_memory past the limit (RLIMIT_MEMLOCK for a process
  // without CAP_IPC_LOCK, also when that limit is 0; the working-set minimum on Windows).
  void lock_in_memory(std::uint64_t offset = 0, std::uint64_t size = 0) const {
    view_.page_control(detail::view_base::page_op::lock, advice::normal, offset, size,
                       "view_accessor::lock_in_memory");
  }
  // Unlocks the range's pages (munlock / VirtualUnlock); pages that were not locked are fine.
  // Errors: the common ones.
  void unlock_from_memory(std::uint64_t offset = 0, std::uint64_t size = 0) const {
    view_.page_control(detail::view_base::page_op::unlock, advice::normal, offset, size,
                       "view_accessor::unlock_from_memory");
  }

 private:
  friend class memory_mapped_file;
  explicit view_accessor(detail::view_base&& v) noexcept : view_(std::move(v)) {}

  // The address of [position, position + N) when the view allows it, else throws. `limit` is
  // read_limit() or write_limit() (0 without that access), so the hot path is one compare of
  // `position` against limit - N, which a loop keeps in a register; the first compare is
  // loop-invariant. The base is loaded before the branch so that it can be kept as well.
  template <std::size_t N>
  std::byte* at(std::uint64_t position, std::uint64_t limit, detail::view_failure denied,
                const char* operation) const {
    std::byte* const base = view_.data();
    if (N > limit || position > limit - N) [[unlikely]] {
      const bool allowed =
          denied == detail::view_failure::not_readable ? view_.can_read() : view_.can_write();
      fail(allowed ? detail::view_failure::out_of_range : denied, operation, position, N);
    }
    return base + static_cast<std::size_t>(position);
  }
  [[noreturn]] void fail(detail::view_failure why, const char* operation, std::uint64_t position,
                         std::uint64_t length) const {
    detail::throw_view_failure(view_.valid() ? why : detail::view_failure::empty, operation,
                               position, length, view_.size());
  }

  detail::view_base view_;
};

}  // namespace mmf
