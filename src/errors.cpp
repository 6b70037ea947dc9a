#include "errors.hpp"

#include <algorithm>
#include <cstdio>

#include <mmf/view_accessor.hpp>

namespace mmf::detail {

std::string describe(std::string_view operation, std::string_view subject) {
  std::string s(operation);
  if (!subject.empty()) {
    s += " \"";
    s += subject;
    s += '"';
  }
  return s;
}

namespace {
struct pending_detail {
  std::error_code ec;
  char text[256] = {};
};
thread_local pending_detail pending;
}  // namespace

void note_error_detail(std::error_code ec, std::string_view detail) noexcept {
  pending.ec = ec;
  const std::size_t n = std::min(detail.size(), sizeof pending.text - 1);
  detail.copy(pending.text, n);
  pending.text[n] = '\0';
}

void forget_error_detail() noexcept {
  pending.ec.clear();
  pending.text[0] = '\0';
}

void throw_error(std::error_code ec, std::string_view operation, std::string_view subject) {
  std::string what = describe(operation, subject);
  if (pending.ec && pending.ec == ec && pending.text[0] != '\0') {
    what += ": ";
    what += pending.text;
  }
  forget_error_detail();
  throw mmf::error(ec, what);
}

void throw_view_failure(view_failure why, const char* operation, std::uint64_t position,
                        std::uint64_t length, std::uint64_t capacity) {
  char detail[160];
  std::errc code = std::errc::result_out_of_range;
  switch (why) {
    case view_failure::empty:
      code = std::errc::bad_file_descriptor;
      std::snprintf(detail, sizeof detail, "%s: empty view", operation);
      break;
    case view_failure::not_readable:
      code = std::errc::permission_denied;
      std::snprintf(detail, sizeof detail, "%s: the view has no read access", operation);
      break;
    case view_failure::not_writable:
      code = std::errc::permission_denied;
      std::snprintf(detail, sizeof detail, "%s: the view has no write access", operation);
      break;
    case view_failure::out_of_range:
      std::snprintf(detail, sizeof detail,
                    "%s: %llu bytes at position %llu do not fit in a view of %llu bytes", operation,
                    static_cast<unsigned long long>(length),
                    static_cast<unsigned long long>(position),
                    static_cast<unsigned long long>(capacity));
      break;
  }
  throw mmf::error(make_errc(code), detail);
}

}  // namespace mmf::detail
