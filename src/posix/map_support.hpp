// mmf — the small pieces the POSIX files of maps share (file.cpp, backing.cpp,
// persisted_record.cpp, map.cpp): errno as an error code, the one reading of "no room for that
// capacity", and what an access or an inheritability means for open() and mmap().
//
// Contract:
// - Each is a pure function of its arguments (last_error reads errno and nothing else): no system
//   call, no allocation, no throw.
// - space_error is the one mapping of a failed reservation or write: EFBIG, ENOSPC and EDQUOT are
//   no_space_on_device, ENOMEM not_enough_memory, EACCES and EPERM permission_denied; any other
//   errno is returned as the system's code.
// - corrupt() is what a foreign or damaged object under our name is refused with
//   (invalid_argument), as the named synchronisation objects are (sync_object.hpp).
#pragma once

#include <fcntl.h>

#include <cerrno>
#include <system_error>

#include "errors.hpp"
#include "platform.hpp"

namespace mmf::detail::platform {

inline std::error_code last_error() noexcept {
  return {errno, std::system_category()};
}

// EFBIG (past the file system's largest file) and ENOSPC both mean "no room for that capacity".
inline std::error_code space_error(int e) noexcept {
  if (e == EFBIG || e == ENOSPC || e == EDQUOT) return make_errc(std::errc::no_space_on_device);
  if (e == ENOMEM) return make_errc(std::errc::not_enough_memory);
  if (e == EACCES || e == EPERM) return make_errc(std::errc::permission_denied);
  return {e, std::system_category()};
}

inline std::error_code corrupt() noexcept {
  return make_errc(std::errc::invalid_argument);
}

inline bool writes_shared(access a) noexcept {
  return a == access::read_write || a == access::read_write_execute;
}

inline int cloexec_flag(inheritability inherit) noexcept {
  return inherit == inheritability::inheritable ? 0 : O_CLOEXEC;
}

}  // namespace mmf::detail::platform
