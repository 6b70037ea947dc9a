// mmf — the POSIX back end's plain files: opening (telling "created" from "opened" exactly),
// existence, size and resizing, the access and inheritance of a descriptor, closing, removal.
// What a persisted map makes of its file (the section, the name record) is map.cpp's and
// persisted_record.cpp's.
//
// Contract:
// - open_file accepts only a regular file: a directory is is_a_directory, anything else
//   invalid_argument, and a file this call created is removed again. create and open_or_create
//   try O_CREAT|O_EXCL first, so `created` is exact even while another process creates and
//   removes the same file (the race is retried).
// - file_size accepts a regular file or a block device, else invalid_argument.
// - resize_file only sets the size (size_object, lazy): it reserves nothing.
// - Other errors are the system's (errno); open() is retried on EINTR.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "errors.hpp"
#include "platform.hpp"
#include "posix/backing.hpp"
#include "posix/map_support.hpp"

namespace mmf::detail::platform {

std::error_code open_file(const std::filesystem::path& path, file_mode mode, bool writable,
                          inheritability inherit, native_handle& out, bool& created) noexcept {
  const int base = (writable ? O_RDWR : O_RDONLY) | cloexec_flag(inherit);
  const char* p = path.c_str();
  auto open_retry = [](const char* file, int flags) {
    int fd;
    do {
      fd = ::open(file, flags, 0666);
    } while (fd < 0 && errno == EINTR);
    return fd;
  };
  int fd = -1;
  bool made = false;
  switch (mode) {
    case file_mode::create_new:
      fd = open_retry(p, base | O_CREAT | O_EXCL);
      made = fd >= 0;
      break;
    case file_mode::open:
      fd = open_retry(p, base);
      break;
    case file_mode::create:
    case file_mode::open_or_create:
      // Tell "created" from "opened" exactly: try to create exclusively first.
      for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        fd = open_retry(p, base | O_CREAT | O_EXCL);
        if (fd >= 0) {
          made = true;
          break;
        }
        if (errno != EEXIST) break;
        fd = open_retry(p, base | (mode == file_mode::create ? O_TRUNC : 0));
        if (fd < 0 && errno != ENOENT) break;
      }
      break;
    default:
      return make_errc(std::errc::invalid_argument);
  }
  if (fd < 0) return last_error();
  struct ::stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const auto ec = S_ISDIR(st.st_mode) ? make_errc(std::errc::is_a_directory)
                                        : make_errc(std::errc::invalid_argument);
    ::close(fd);
    if (made) ::unlink(p);
    return ec;
  }
  out = fd;
  created = made;
  return {};
}

std::error_code file_exists(const std::filesystem::path& path, bool& exists) noexcept {
  struct ::stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    exists = true;
    return {};
  }
  if (errno == ENOENT || errno == ENOTDIR) {
    exists = false;
    return {};
  }
  return last_error();
}

std::error_code file_size(native_handle file, std::uint64_t& size) noexcept {
  struct ::stat st {};
  if (::fstat(file, &st) != 0) return last_error();
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) return make_errc(std::errc::invalid_argument);
  size = static_cast<std::uint64_t>(st.st_size);
  return {};
}

std::error_code resize_file(native_handle file, std::uint64_t size) noexcept {
  return size_object(file, size, true);
}

std::error_code handle_access(native_handle file, bool& readable, bool& writable) noexcept {
  const int flags = ::fcntl(file, F_GETFL);
  if (flags < 0) return last_error();
  const int mode = flags & O_ACCMODE;
  readable = mode == O_RDONLY || mode == O_RDWR;
  writable = mode == O_WRONLY || mode == O_RDWR;
  return {};
}

std::error_code set_inheritable(native_handle handle, bool inheritable) noexcept {
  const int flags = ::fcntl(handle, F_GETFD);
  if (flags < 0) return last_error();
  const int wanted = inheritable ? (flags & ~FD_CLOEXEC) : (flags | FD_CLOEXEC);
  if (wanted != flags && ::fcntl(handle, F_SETFD, wanted) != 0) return last_error();
  return {};
}

void close_handle(native_handle handle) noexcept {
  if (handle >= 0) ::close(handle);
}

void remove_file(const std::filesystem::path& path) noexcept {
  ::unlink(path.c_str());
}

}  // namespace mmf::detail::platform
