// mmf — the record of a named persisted map on POSIX: a small named object (kind::file, through
// the named-object protocol of named_object.hpp) that tells another process which file the name
// maps, so that open_existing finds it. Used by the sections (map.cpp) and the inspection
// (inspect.cpp).
//
// Contract:
// - The record holds the file's absolute path (for a caller-opened descriptor, the path the
//   kernel knows it by), its device and inode, the capacity and the creator's access; its layout
//   (magic "mmf-file", version 1) is the wire format between processes and library versions.
// - publish_record writes the record into a new, still invisible object and publishes it with
//   create_new: a live object under the name is file_exists; a failed write (space_error) leaves
//   nothing behind. `hold` keeps the record alive while the map lives.
// - open_persisted opens the record and then its file, and proves the file is the one recorded
//   (same device and inode): a replaced or vanished file is no_such_file_or_directory, a record
//   of the wrong magic or version invalid_argument, and an opener asking for more than the
//   creator's access (write, execute), or refused by the file's own permissions, gets
//   permission_denied.
// - persisted_record_capacity is the recorded capacity of the record open on `fd`, or 0 when it
//   is not a valid record (what `mmf list` shows as a persisted map's size).
// - set_persisted_record_capacity rewrites the recorded capacity of the record open (writable) on
//   `fd` in place, one aligned 8-byte write (memory_mapped_file::grow); the rest of the record is
//   unchanged. Errors: invalid_argument (not a valid record), or the write's (space_error).
#pragma once

#include <cstdint>
#include <filesystem>
#include <system_error>

#include "platform.hpp"
#include "posix/named_object.hpp"

namespace mmf::detail::platform {

// Publishes under `name` the record of the file open on `file` (`path`: where it was opened,
// nullptr for a caller-opened descriptor). On success `hold` holds the record.
std::error_code publish_record(const object_name& name, int file, const std::filesystem::path* path,
                               std::uint64_t capacity, access acc, inheritability inherit,
                               posix::named_object& hold);

// Opens the persisted map published under `name` for `acc`: on success `file` is its file, opened
// for `acc` and `inherit`, `hold` the hold on the record, `capacity` the recorded capacity.
std::error_code open_persisted(const object_name& name, access acc, inheritability inherit,
                               posix::unique_fd& file, posix::named_object& hold,
                               std::uint64_t& capacity);

}  // namespace mmf::detail::platform

namespace mmf::detail::posix {

std::uint64_t persisted_record_capacity(int fd) noexcept;
std::error_code set_persisted_record_capacity(int fd, std::uint64_t capacity) noexcept;

}  // namespace mmf::detail::posix
