// mmf — sequential access to one view of a memory-mapped file, as a std::iostream.
//
// A view_stream is created by memory_mapped_file::create_view_stream(). It is a std::iostream
// over the view's bytes: <<, >>, std::getline, read, write, seekg/seekp and tellg/tellp work.
// Reads and writes share one position. The length is fixed: a write past the end writes what fits
// and sets badbit (or throws, where exceptions() asks for it); a read past the end sets eofbit.
//
// There is no private buffer: the stream buffer's get and put areas are the mapped bytes
// themselves, so a write is in the shared memory (seen by every other view and process) when the
// call returns. Bulk reads and writes are one memcpy; positions are 64-bit (views past 2 GiB
// work). flush() (from std::ostream) writes the view's dirty pages to the backing file and waits;
// std::endl flushes, so prefer '\n' in loops over a persisted map.
//
// read_as<T>() / write_as<T>() are the inline typed fast path (like .NET's BinaryReader and
// BinaryWriter over a stream): sizeof(T) bytes at the position, which then advances.
//
// Threads: a view_stream is not safe for concurrent use (it has one position), like any
// std::iostream. Lifetime: as view_accessor, the stream keeps the mapping alive after its
// memory_mapped_file is closed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <span>
#include <streambuf>
#include <type_traits>

#include <mmf/view_accessor.hpp>

namespace mmf {

namespace detail {

// The stream buffer of a view_stream. Its get area (read mode) or its put area (write mode) spans
// the whole view, and the active area's pointer is the one shared position; switching modes moves
// that position from one area to the other (as std::basic_filebuf does), so inline sgetc/sputc
// stay correct and no position is ever lost.
class MMF_API view_streambuf : public std::streambuf {
 public:
  view_streambuf() noexcept = default;
  explicit view_streambuf(view_base&& view) noexcept;
  view_streambuf(view_streambuf&& other) noexcept;
  view_streambuf& operator=(view_streambuf&& other) noexcept;
  ~view_streambuf() override = default;

  const view_base& view() const noexcept { return view_; }
  std::uint64_t position() const noexcept {
    return static_cast<std::uint64_t>((writing_ ? pptr() : gptr()) - base());
  }
  void set_position(std::uint64_t position);  // throws result_out_of_range past the end

  // Inline fast paths of read_as/write_as: true when n bytes fit in the active area.
  bool fast_get(void* out, std::size_t n) noexcept {
    if (static_cast<std::size_t>(egptr() - gptr()) < n) return false;
    std::memcpy(out, gptr(), n);
    gbump(static_cast<int>(n));
    return true;
  }
  bool fast_put(const void* in, std::size_t n) noexcept {
    if (static_cast<std::size_t>(epptr() - pptr()) < n) return false;
    std::memcpy(pptr(), in, n);
    pbump(static_cast<int>(n));
    return true;
  }
  // The slow paths: switch mode, or throw (empty, no access, or past the end; nothing moves).
  void slow_get(void* out, std::size_t n, const char* operation);
  void slow_put(const void* in, std::size_t n, const char* operation);

 protected:
  int_type underflow() override;
  int_type overflow(int_type ch) override;
  int_type pbackfail(int_type ch) override;
  std::streamsize xsgetn(char_type* s, std::streamsize n) override;
  std::streamsize xsputn(const char_type* s, std::streamsize n) override;
  std::streamsize showmanyc() override;
  pos_type seekoff(off_type off, std::ios_base::seekdir dir,
                   std::ios_base::openmode which) override;
  pos_type seekpos(pos_type pos, std::ios_base::openmode which) override;
  int sync() override;

 private:
  char* base() const noexcept { return reinterpret_cast<char*>(view_.data()); }
  char* end() const noexcept { return base() + static_cast<std::size_t>(view_.size()); }
  void enter_read_mode() noexcept;
  void enter_write_mode() noexcept;
  void place(std::uint64_t position) noexcept;  // sets the active area's pointer

  view_base view_;
  bool writing_ = false;
};

}  // namespace detail

class MMF_API view_stream : public std::iostream {
 public:
  // An empty stream: badbit is set, capacity() and position() are 0, bytes() is empty; seek,
  // read_as and write_as throw bad_file_descriptor.
  view_stream();
  view_stream(view_stream&& other) noexcept;
  view_stream& operator=(view_stream&& other) noexcept;
  view_stream(const view_stream&) = delete;
  view_stream& operator=(const view_stream&) = delete;
  ~view_stream() override = default;

  explicit operator bool() const noexcept { return buf_.view().valid(); }

  std::uint64_t capacity() const noexcept { return buf_.view().size(); }
  std::uint64_t position() const noexcept { return buf_.position(); }
  // Moves the shared read/write position and clears eofbit.
  // Errors: result_out_of_range past the end (position == capacity() is allowed),
  // bad_file_descriptor on an empty stream.
  void seek(std::uint64_t position);
  std::uint64_t pointer_offset() const noexcept { return buf_.view().pointer_offset(); }
  bool can_read() const noexcept { return buf_.view().can_read(); }
  bool can_write() const noexcept { return buf_.view().can_write(); }
  std::span<std::byte> bytes() noexcept {
    return {buf_.view().data(), static_cast<std::size_t>(buf_.view().size())};
  }
  std::span<const std::byte> bytes() const noexcept {
    return {buf_.view().data(), static_cast<std::size_t>(buf_.view().size())};
  }

  // Reads sizeof(T) bytes at the position, which then advances. Does not touch the stream state.
  // A bool is true for any non-zero byte (as view_accessor::read<bool> and .NET's ReadBoolean).
  // Errors: result_out_of_range if they do not fit (nothing moves), permission_denied on a view
  // without read access, bad_file_descriptor on an empty stream.
  template <class T>
  requires std::is_trivially_copyable_v<T> T read_as() {
    if constexpr (std::is_same_v<T, bool>) {
      return read_as<unsigned char>() != 0;
    }
    T value;
    if (!buf_.fast_get(&value, sizeof(T))) [[unlikely]]
      buf_.slow_get(&value, sizeof(T), "view_stream::read_as");
    return value;
  }
  // Writes sizeof(T) bytes at the position, which then advances. Errors as read_as.
  template <class T>
  requires std::is_trivially_copyable_v<T>
  void write_as(const T& value) {
    if (!buf_.fast_put(&value, sizeof(T))) [[unlikely]]
      buf_.slow_put(&value, sizeof(T), "view_stream::write_as");
  }

  // ---- Page control: as view_accessor's (see view_accessor.hpp for what each does and costs),
  // over [offset, offset + size) of the view, size 0 meaning "to the end"; messages name
  // "view_stream::<call>". None of them moves the position or touches the stream state; they
  // throw mmf::error (result_out_of_range, bad_file_descriptor, invalid_argument, the OS's error)
  // whatever exceptions() says.
  using std::iostream::flush;  // flush(): the whole view, through the stream (sync)
  void flush(std::uint64_t offset, std::uint64_t size) {
    buf_.view().page_control(detail::view_base::page_op::flush, advice::normal, offset, size,
                             "view_stream::flush");
  }
  void flush_async(std::uint64_t offset = 0, std::uint64_t size = 0) {
    buf_.view().page_control(detail::view_base::page_op::flush_async, advice::normal, offset, size,
                             "view_stream::flush_async");
  }
  void advise(advice a, std::uint64_t offset = 0, std::uint64_t size = 0) const {
    buf_.view().page_control(detail::view_base::page_op::advise, a, offset, size,
                             "view_stream::advise");
  }
  void lock_in_memory(std::uint64_t offset = 0, std::uint64_t size = 0) const {
    buf_.view().page_control(detail::view_base::page_op::lock, advice::normal, offset, size,
                             "view_stream::lock_in_memory");
  }
  void unlock_from_memory(std::uint64_t offset = 0, std::uint64_t size = 0) const {
    buf_.view().page_control(detail::view_base::page_op::unlock, advice::normal, offset, size,
                             "view_stream::unlock_from_memory");
  }

 private:
  friend class memory_mapped_file;
  explicit view_stream(detail::view_base&& view);

  detail::view_streambuf buf_;
};

}  // namespace mmf
