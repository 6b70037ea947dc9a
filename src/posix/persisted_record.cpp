// mmf — the POSIX back end's record of a named persisted map (contract in persisted_record.hpp):
// its layout, publishing it, and opening the file it names.
#include "posix/persisted_record.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>

#include "errors.hpp"
#include "posix/map_support.hpp"

namespace mmf::detail::platform {

using posix::kind;
using posix::named_object;
using posix::named_spec;
using posix::unique_fd;

namespace {

// The published record of a named persisted map (kind::file), so that open_existing in another
// process finds the file: the path, and the device and inode that prove it is the same file.
struct file_record {
  char magic[8];
  std::uint32_t version;
  std::uint32_t path_length;
  std::uint64_t device;
  std::uint64_t inode;
  std::uint64_t capacity;
  std::uint32_t map_access;
  std::uint32_t reserved;
};
constexpr char file_magic[8] = {'m', 'm', 'f', '-', 'f', 'i', 'l', 'e'};

std::error_code write_all(int fd, const void* data, std::size_t size, off_t offset) noexcept {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, p, size, offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return space_error(errno);
    }
    p += n, size -= static_cast<std::size_t>(n), offset += n;
  }
  return {};
}

bool read_all(int fd, void* data, std::size_t size, off_t offset) noexcept {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t n = ::pread(fd, p, size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n, size -= static_cast<std::size_t>(n), offset += n;
  }
  return true;
}

bool read_record(int fd, file_record& rec, std::string* path) {
  if (!read_all(fd, &rec, sizeof rec, 0) || std::memcmp(rec.magic, file_magic, 8) != 0 ||
      rec.version != 1 || rec.path_length > PATH_MAX)
    return false;
  if (path != nullptr) {
    path->resize(rec.path_length);
    if (rec.path_length != 0 && !read_all(fd, path->data(), rec.path_length, sizeof rec))
      return false;
  }
  return true;
}

}  // namespace

std::error_code publish_record(const object_name& name, int file, const std::filesystem::path* path,
                               std::uint64_t capacity, access acc, inheritability inherit,
                               named_object& hold) {
  struct ::stat st {};
  if (::fstat(file, &st) != 0) return last_error();
  std::string where;
  if (path != nullptr) {
    std::error_code ec;
    where = std::filesystem::absolute(*path, ec).string();
    if (ec) return ec;  // the working directory is gone or unreadable
  } else {
    // A caller-opened descriptor: its path, as the kernel knows it.
    char link[64];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", file);
    std::error_code ignored;
    where = std::filesystem::read_symlink(link, ignored).string();
  }
  file_record rec{};
  std::memcpy(rec.magic, file_magic, sizeof rec.magic);
  rec.version = 1;
  rec.path_length = static_cast<std::uint32_t>(where.size());
  rec.device = static_cast<std::uint64_t>(st.st_dev);
  rec.inode = static_cast<std::uint64_t>(st.st_ino);
  rec.capacity = capacity;
  rec.map_access = static_cast<std::uint32_t>(acc);
  named_spec spec;
  spec.what = kind::file;
  spec.name = &name;
  spec.inherit = inherit;
  spec.init = [&](int fd) -> std::error_code {
    if (auto ec = write_all(fd, &rec, sizeof rec, 0)) return ec;
    return write_all(fd, where.data(), where.size(), sizeof rec);
  };
  bool created = false;
  return posix::open_named(disposition::create_new, spec, hold, created);
}

std::error_code open_persisted(const object_name& name, access acc, inheritability inherit,
                               unique_fd& file, named_object& hold, std::uint64_t& capacity) {
  named_spec spec;
  spec.what = kind::file;
  spec.name = &name;
  spec.writable = false;
  spec.inherit = inheritability::none;
  spec.validate = [](int fd, const struct ::stat&) {
    file_record rec{};
    return read_record(fd, rec, nullptr) ? std::error_code{} : corrupt();
  };
  named_object record;
  bool created = false;
  if (auto ec = posix::open_named(disposition::open_existing, spec, record, created)) return ec;
  file_record rec{};
  std::string path;
  if (!read_record(record.fd(), rec, &path)) return corrupt();
  const auto creator = static_cast<access>(rec.map_access);
  if (writes_shared(acc) && !writes_shared(creator)) return make_errc(std::errc::permission_denied);
  if ((acc == access::read_execute || acc == access::read_write_execute) &&
      creator != access::read_execute && creator != access::read_write_execute)
    return make_errc(std::errc::permission_denied);
  unique_fd fd(
      ::open(path.c_str(), (writes_shared(acc) ? O_RDWR : O_RDONLY) | cloexec_flag(inherit)));
  if (!fd) {
    if (errno == EACCES || errno == EPERM) return make_errc(std::errc::permission_denied);
    return make_errc(std::errc::no_such_file_or_directory);
  }
  struct ::stat st {};
  if (::fstat(fd.get(), &st) != 0) return last_error();
  if (static_cast<std::uint64_t>(st.st_dev) != rec.device ||
      static_cast<std::uint64_t>(st.st_ino) != rec.inode)
    return make_errc(std::errc::no_such_file_or_directory);  // the file was replaced
  file = std::move(fd);
  hold = std::move(record);
  capacity = rec.capacity;
  return {};
}

}  // namespace mmf::detail::platform

namespace mmf::detail::posix {
std::uint64_t persisted_record_capacity(int fd) noexcept {
  platform::file_record rec{};
  return platform::read_record(fd, rec, nullptr) ? rec.capacity : 0;
}

std::error_code set_persisted_record_capacity(int fd, std::uint64_t capacity) noexcept {
  platform::file_record rec{};
  if (!platform::read_record(fd, rec, nullptr)) return platform::corrupt();
  return platform::write_all(fd, &capacity, sizeof capacity,
                             static_cast<off_t>(offsetof(platform::file_record, capacity)));
}
}  // namespace mmf::detail::posix
