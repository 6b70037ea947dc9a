// mmf — views: the mapping owner shared by view_accessor and view_stream, and the stream buffer.
#include <mmf/view_accessor.hpp>
#include <mmf/view_stream.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "errors.hpp"
#include "map_state.hpp"
#include "platform.hpp"

namespace mmf {
namespace detail {

// ---- view_base ----------------------------------------------------------------------------------

view_base::view_base(view_base&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      pointer_offset_(std::exchange(other.pointer_offset_, 0)),
      map_offset_(std::exchange(other.map_offset_, 0)),
      map_base_(std::exchange(other.map_base_, nullptr)),
      map_length_(std::exchange(other.map_length_, 0)),
      readable_(std::exchange(other.readable_, false)),
      writable_(std::exchange(other.writable_, false)),
      read_limit_(std::exchange(other.read_limit_, 0)),
      write_limit_(std::exchange(other.write_limit_, 0)),
      access_(other.access_),
      owner_(std::move(other.owner_)) {}

view_base& view_base::operator=(view_base&& other) noexcept {
  if (this != &other) {
    reset();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    pointer_offset_ = std::exchange(other.pointer_offset_, 0);
    map_offset_ = std::exchange(other.map_offset_, 0);
    map_base_ = std::exchange(other.map_base_, nullptr);
    map_length_ = std::exchange(other.map_length_, 0);
    readable_ = std::exchange(other.readable_, false);
    writable_ = std::exchange(other.writable_, false);
    read_limit_ = std::exchange(other.read_limit_, 0);
    write_limit_ = std::exchange(other.write_limit_, 0);
    access_ = other.access_;
    owner_ = std::move(other.owner_);
  }
  return *this;
}

view_base::~view_base() {
  reset();
}

void view_base::reset() noexcept {
  // Unmapping writes nothing to disk and loses nothing: the pages stay in the page cache (or the
  // shared memory) and reach the file in due course. flush() is the durability call.
  if (map_base_ != nullptr) platform::unmap_view(map_base_, map_length_);
  data_ = nullptr;
  size_ = 0;
  pointer_offset_ = 0;
  map_offset_ = 0;
  map_base_ = nullptr;
  map_length_ = 0;
  readable_ = writable_ = false;
  read_limit_ = write_limit_ = 0;
  owner_.reset();  // may release the map's handles and name, if this was the last user
}

std::error_code view_base::try_flush() const noexcept {
  if (!owner_) return make_errc(std::errc::bad_file_descriptor);
  if (map_base_ == nullptr || access_ == access::copy_on_write || !owner_->persisted) return {};
  return platform::flush_view(*owner_->section, map_base_, map_length_);
}

void view_base::flush(const char* operation) const {
  if (auto ec = try_flush()) throw_error(ec, operation, owner_ ? owner_->name : std::string());
}

// The range arithmetic of page control happens here, once: the back end gets a page-aligned start
// inside the mapping and a length that ends inside it.
void view_base::page_control(page_op op, advice a, std::uint64_t offset, std::uint64_t size,
                             const char* operation) const {
  if (!owner_) throw_view_failure(view_failure::empty, operation, offset, size, 0);
  if (offset > size_ || (size != 0 && size > size_ - offset))
    throw_view_failure(view_failure::out_of_range, operation, offset, size, size_);
  if (op == page_op::advise &&
      static_cast<std::uint8_t>(a) > static_cast<std::uint8_t>(advice::dont_need))
    throw_error(make_errc(std::errc::invalid_argument), operation, owner_->name);
  if (size == 0) size = size_ - offset;
  if (size == 0 || map_base_ == nullptr) return;  // nothing to do on an empty range
  const bool has_file = owner_->persisted && access_ != access::copy_on_write;
  if ((op == page_op::flush || op == page_op::flush_async) && !has_file) return;
  const std::uint64_t page = platform::page_size();
  const std::uint64_t first = pointer_offset_ + offset;  // in the mapping
  const std::uint64_t start = first - first % page;
  void* const at = static_cast<std::byte*>(map_base_) + static_cast<std::size_t>(start);
  const auto length = static_cast<std::size_t>(first + size - start);
  std::error_code ec;
  switch (op) {
    case page_op::flush:
      ec = platform::flush_view(*owner_->section, at, length);
      break;
    case page_op::flush_async:
      ec = platform::flush_view_async(*owner_->section, at, length, map_offset_ + start);
      break;
    case page_op::advise:
      ec = platform::advise_view(at, length, access_, a);
      break;
    case page_op::lock:
      ec = platform::lock_view(at, length);
      break;
    case page_op::unlock:
      ec = platform::unlock_view(at, length);
      break;
  }
  if (ec) throw_error(ec, operation, owner_->name);
}

// ---- view_streambuf -----------------------------------------------------------------------------

view_streambuf::view_streambuf(view_base&& view) noexcept : view_(std::move(view)) {
  writing_ = !view_.can_read() && view_.can_write();
  place(0);
}

view_streambuf::view_streambuf(view_streambuf&& other) noexcept
    : std::streambuf(other),  // copies the area pointers: they point into the mapping, which stays
      view_(std::move(other.view_)),
      writing_(other.writing_) {
  other.setg(nullptr, nullptr, nullptr);
  other.setp(nullptr, nullptr);
  other.writing_ = false;
}

view_streambuf& view_streambuf::operator=(view_streambuf&& other) noexcept {
  if (this != &other) {
    std::streambuf::operator=(other);
    view_ = std::move(other.view_);
    writing_ = other.writing_;
    other.setg(nullptr, nullptr, nullptr);
    other.setp(nullptr, nullptr);
    other.writing_ = false;
  }
  return *this;
}

// In read mode the get area is the whole view and the put area is empty (every write first
// switches mode through overflow/xsputn). In write mode the put area runs from the position to the
// end and the get area is empty at the position (every read first switches through underflow).
void view_streambuf::place(std::uint64_t position) noexcept {
  char* at = base() + static_cast<std::size_t>(position);
  if (writing_) {
    setg(base(), at, at);
    setp(at, end());
  } else {
    setg(base(), at, view_.can_read() ? end() : at);
    setp(nullptr, nullptr);
  }
}

void view_streambuf::enter_read_mode() noexcept {
  if (!writing_) return;
  const std::uint64_t at = position();
  writing_ = false;
  place(at);
}

void view_streambuf::enter_write_mode() noexcept {
  if (writing_) return;
  const std::uint64_t at = position();
  writing_ = true;
  place(at);
}

void view_streambuf::set_position(std::uint64_t position) {
  if (!view_.valid()) throw_error(make_errc(std::errc::bad_file_descriptor), "view_stream::seek");
  if (position > view_.size())
    throw_view_failure(view_failure::out_of_range, "view_stream::seek", position, 0, view_.size());
  place(position);
}

void view_streambuf::slow_get(void* out, std::size_t n, const char* operation) {
  if (!view_.can_read())
    throw_view_failure(view_.valid() ? view_failure::not_readable : view_failure::empty, operation,
                       position(), n, view_.size());
  enter_read_mode();
  if (!fast_get(out, n))
    throw_view_failure(view_failure::out_of_range, operation, position(), n, view_.size());
}

void view_streambuf::slow_put(const void* in, std::size_t n, const char* operation) {
  if (!view_.can_write())
    throw_view_failure(view_.valid() ? view_failure::not_writable : view_failure::empty, operation,
                       position(), n, view_.size());
  enter_write_mode();
  if (!fast_put(in, n))
    throw_view_failure(view_failure::out_of_range, operation, position(), n, view_.size());
}

view_streambuf::int_type view_streambuf::underflow() {
  if (!view_.can_read()) return traits_type::eof();
  enter_read_mode();
  return gptr() < egptr() ? traits_type::to_int_type(*gptr()) : traits_type::eof();
}

view_streambuf::int_type view_streambuf::overflow(int_type ch) {
  if (!view_.can_write()) return traits_type::eof();
  enter_write_mode();
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  if (pptr() == epptr()) return traits_type::eof();  // the view is full: the stream sets badbit
  *pptr() = traits_type::to_char_type(ch);
  pbump(1);
  return ch;
}

view_streambuf::int_type view_streambuf::pbackfail(int_type ch) {
  // Only reached when the position cannot move back in the active area (write mode, or the start).
  if (!view_.can_read()) return traits_type::eof();
  enter_read_mode();
  if (gptr() == eback()) return traits_type::eof();
  if (!traits_type::eq_int_type(ch, traits_type::eof()) &&
      !traits_type::eq(traits_type::to_char_type(ch), gptr()[-1]))
    return traits_type::eof();  // the mapping is shared memory: never overwrite it on putback
  gbump(-1);
  return traits_type::to_int_type(*gptr());
}

std::streamsize view_streambuf::xsgetn(char_type* s, std::streamsize n) {
  if (n <= 0 || !view_.can_read()) return 0;
  enter_read_mode();
  const auto available = static_cast<std::uint64_t>(egptr() - gptr());
  const auto count =
      static_cast<std::size_t>(std::min<std::uint64_t>(available, static_cast<std::uint64_t>(n)));
  if (count == 0) return 0;       // at the end (of an empty view too, whose gptr() may be null)
  std::memcpy(s, gptr(), count);  // one copy, whatever the size
  setg(eback(), gptr() + count, egptr());
  return static_cast<std::streamsize>(count);
}

std::streamsize view_streambuf::xsputn(const char_type* s, std::streamsize n) {
  if (n <= 0 || !view_.can_write()) return 0;
  enter_write_mode();
  const auto available = static_cast<std::uint64_t>(epptr() - pptr());
  const auto count =
      static_cast<std::size_t>(std::min<std::uint64_t>(available, static_cast<std::uint64_t>(n)));
  if (count == 0) return 0;
  std::memcpy(pptr(), s, count);
  // setp rather than pbump(int): positions past 2 GiB must work.
  char* at = pptr() + count;
  setp(at, epptr());
  setg(base(), at, at);
  return static_cast<std::streamsize>(count);
}

std::streamsize view_streambuf::showmanyc() {
  if (!view_.can_read()) return -1;
  const std::uint64_t left = view_.size() - position();
  if (left == 0) return -1;
  return static_cast<std::streamsize>(std::min<std::uint64_t>(
      left, static_cast<std::uint64_t>(std::numeric_limits<std::streamsize>::max())));
}

view_streambuf::pos_type view_streambuf::seekoff(off_type off, std::ios_base::seekdir dir,
                                                 std::ios_base::openmode) {
  if (!view_.valid()) return pos_type(off_type(-1));
  // One shared position: seekg and seekp both move it.
  std::uint64_t origin = 0;
  if (dir == std::ios_base::cur)
    origin = position();
  else if (dir == std::ios_base::end)
    origin = view_.size();
  std::uint64_t target;
  if (off < 0) {
    const auto back = static_cast<std::uint64_t>(-(off + 1)) + 1;
    if (back > origin) return pos_type(off_type(-1));
    target = origin - back;
  } else {
    const auto forward = static_cast<std::uint64_t>(off);
    if (forward > view_.size() - std::min(origin, view_.size())) return pos_type(off_type(-1));
    target = origin + forward;
  }
  if (target > view_.size()) return pos_type(off_type(-1));
  place(target);
  return pos_type(static_cast<off_type>(target));
}

view_streambuf::pos_type view_streambuf::seekpos(pos_type pos, std::ios_base::openmode which) {
  return seekoff(off_type(pos), std::ios_base::beg, which);
}

int view_streambuf::sync() {
  return view_.try_flush() ? -1 : 0;
}

}  // namespace detail

// ---- view_stream --------------------------------------------------------------------------------

view_stream::view_stream() : std::iostream(nullptr) {
  // An empty stream has no buffer: every operation fails (badbit), as API.md's empty objects do.
}

view_stream::view_stream(detail::view_base&& view) : std::iostream(nullptr), buf_(std::move(view)) {
  rdbuf(&buf_);  // also clears the badbit that the null buffer set
}

view_stream::view_stream(view_stream&& other) noexcept
    : std::iostream(std::move(other)), buf_(std::move(other.buf_)) {
  set_rdbuf(buf_.view().valid() ? &buf_ : nullptr);
  if (!buf_.view().valid()) setstate(std::ios_base::badbit);
  other.set_rdbuf(nullptr);
  other.setstate(std::ios_base::badbit);
}

view_stream& view_stream::operator=(view_stream&& other) noexcept {
  if (this != &other) {
    std::iostream::operator=(std::move(other));  // swaps the stream state, not the buffer
    buf_ = std::move(other.buf_);
    set_rdbuf(buf_.view().valid() ? &buf_ : nullptr);
    if (!buf_.view().valid()) setstate(std::ios_base::badbit);
    other.set_rdbuf(nullptr);
    other.setstate(std::ios_base::badbit);
  }
  return *this;
}

void view_stream::seek(std::uint64_t position) {
  buf_.set_position(position);
  clear(rdstate() & ~std::ios_base::eofbit);
}

}  // namespace mmf
