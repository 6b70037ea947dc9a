// mmf — the one exception type.
//
// Every failing mmf function throws mmf::error (or, in its std::error_code& overload, sets the
// code and returns an empty object). what() names the operation and the map name or path, e.g.
//   open_existing "Local\SampleMap": No such file or directory
// code() compares equal to a portable std::errc condition on every platform (see API.md):
//   no_such_file_or_directory  open_existing of a missing object; file_mode::open of a missing file
//   file_exists                create_new of an existing name or file
//   invalid_argument           bad name, capacity, mode, access or enum value
//   result_out_of_range        a view, read or write that reaches past the end
//   permission_denied          more access than the map, file, OS or owner allows
//   not_enough_memory / no_space_on_device   no memory, address space or space on the device
//                              (a reservation that cannot be backed: refused before reserving)
//   operation_not_permitted    unlock() by a thread that does not own the mutex
//   value_too_large            release() past a semaphore's maximum count
//   bad_file_descriptor        a member call on an empty or moved-from object
#pragma once

#include <string>
#include <system_error>

#include <mmf/export.hpp>

namespace mmf {

class MMF_API error : public std::system_error {
 public:
  using std::system_error::system_error;
};

}  // namespace mmf
