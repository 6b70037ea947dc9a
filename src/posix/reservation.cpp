#include "posix/reservation.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cstdio>
#include <limits>

#include "errors.hpp"
#include "posix/syscalls.hpp"

namespace mmf::detail::posix {

namespace {

std::uint64_t saturating_product(std::uint64_t a, std::uint64_t b) noexcept {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a)
    return std::numeric_limits<std::uint64_t>::max();
  return a * b;
}

std::error_code refuse(std::errc code, const char* what, std::uint64_t asked,
                       std::uint64_t available, const char* where) noexcept {
  const auto ec = make_errc(code);
  char text[200];
  std::snprintf(text, sizeof text, "reserving %llu bytes of %s: only %llu available %s",
                static_cast<unsigned long long>(asked), what,
                static_cast<unsigned long long>(available), where);
  note_error_detail(ec, text);
  return ec;
}

}  // namespace

std::error_code check_reservation(int fd, std::uint64_t size, reservation_kind kind,
                                  const char* what) noexcept {
  std::uint64_t held = 0;
  struct ::stat st {};
  if (::fstat(fd, &st) == 0 && st.st_blocks > 0)
    held = saturating_product(static_cast<std::uint64_t>(st.st_blocks), 512);
  if (size <= held) return {};
  const std::uint64_t asked = size - held;

  if (kind != reservation_kind::file) {
    memory_figures m;
    if (sys().memory(&m) == 0) {
      if (kind == reservation_kind::memory && asked > m.available)
        return refuse(std::errc::not_enough_memory, what, asked, m.available,
                      "in memory and swap (MemAvailable + SwapFree)");
      if (kind == reservation_kind::huge_pages && asked > m.huge_pages_free)
        return refuse(std::errc::not_enough_memory, what, asked, m.huge_pages_free,
                      "in free huge pages");
    }
  }
  struct ::statvfs vfs {};
  // f_blocks == 0: a file system without a size limit (a memfd's internal tmpfs, hugetlbfs
  // without size=): memory is its only limit.
  if (sys().fstatvfs(fd, &vfs) == 0 && vfs.f_blocks != 0) {
    const std::uint64_t unit = vfs.f_frsize != 0 ? vfs.f_frsize : vfs.f_bsize;
    const std::uint64_t free = saturating_product(static_cast<std::uint64_t>(vfs.f_bavail), unit);
    if (asked > free)
      return refuse(std::errc::no_space_on_device, what, asked, free, "on its file system");
  }
  return {};
}

}  // namespace mmf::detail::posix
