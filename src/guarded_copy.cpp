// mmf — view_accessor's guarded copies: the portable range checks; the copy itself is the back
// end's (platform::guarded_copy).
#include <mmf/view_accessor.hpp>

#include <cstdio>
#include <string>

#include "errors.hpp"
#include "platform.hpp"

namespace mmf {

namespace {

// The error of a copy of `length` bytes at `position` of a view, or {} when it may go ahead.
// Codes as read/write and page control give them: bad_file_descriptor, permission_denied,
// result_out_of_range.
std::error_code check(const detail::view_base& v, bool allowed, std::uint64_t position,
                      std::uint64_t length) noexcept {
  if (!v.valid()) return detail::make_errc(std::errc::bad_file_descriptor);
  if (!allowed) return detail::make_errc(std::errc::permission_denied);
  if (position > v.size() || length > v.size() - position)
    return detail::make_errc(std::errc::result_out_of_range);
  return {};
}

[[noreturn]] void throw_copy_failure(std::error_code ec, const char* operation,
                                     std::uint64_t position, std::uint64_t length,
                                     std::uint64_t capacity, std::size_t copied,
                                     detail::view_failure denied) {
  using detail::view_failure;
  if (ec == std::errc::bad_file_descriptor)
    detail::throw_view_failure(view_failure::empty, operation, position, length, capacity);
  if (ec == std::errc::permission_denied)
    detail::throw_view_failure(denied, operation, position, length, capacity);
  if (ec == std::errc::result_out_of_range)
    detail::throw_view_failure(view_failure::out_of_range, operation, position, length, capacity);
  char detail_text[160];
  std::snprintf(detail_text, sizeof detail_text,
                "%s: a page of the view no longer exists (the file shrank); %llu of %llu bytes at "
                "position %llu copied",
                operation, static_cast<unsigned long long>(copied),
                static_cast<unsigned long long>(length), static_cast<unsigned long long>(position));
  throw mmf::error(ec, detail_text);
}

}  // namespace

std::size_t view_accessor::copy_to(std::uint64_t position, std::span<std::byte> out,
                                   std::error_code& ec) const noexcept {
  ec = check(view_, view_.can_read(), position, out.size());
  if (ec || out.empty()) return 0;
  const std::byte* from = view_.data() + static_cast<std::size_t>(position);
  return detail::platform::guarded_copy(out.data(), from, out.size(), from, ec);
}

std::size_t view_accessor::copy_from(std::uint64_t position, std::span<const std::byte> in,
                                     std::error_code& ec) noexcept {
  ec = check(view_, view_.can_write(), position, in.size());
  if (ec || in.empty()) return 0;
  std::byte* to = view_.data() + static_cast<std::size_t>(position);
  return detail::platform::guarded_copy(to, in.data(), in.size(), to, ec);
}

std::size_t view_accessor::copy_to(std::uint64_t position, std::span<std::byte> out) const {
  std::error_code ec;
  const std::size_t copied = copy_to(position, out, ec);
  if (ec)
    throw_copy_failure(ec, "view_accessor::copy_to", position, out.size(), view_.size(), copied,
                       detail::view_failure::not_readable);
  return copied;
}

std::size_t view_accessor::copy_from(std::uint64_t position, std::span<const std::byte> in) {
  std::error_code ec;
  const std::size_t copied = copy_from(position, in, ec);
  if (ec)
    throw_copy_failure(ec, "view_accessor::copy_from", position, in.size(), view_.size(), copied,
                       detail::view_failure::not_writable);
  return copied;
}

}  // namespace mmf
