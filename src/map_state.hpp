// mmf — what a memory_mapped_file and each of its views share: the platform section (handles and
// the hold on the name) and the map's facts (only grow and refresh_capacity change the capacity).
// Destroyed with the last of them.
#pragma once

#include <cstdint>
#include <string>

#include "platform.hpp"

namespace mmf::detail {

struct map_state {
  platform::section_ptr section;
  std::uint64_t capacity = 0;
  access acc = access::read_write;
  bool persisted = false;
  std::string name;     // as given
  std::string subject;  // what errors of the map name: the path (and name) of a persisted map
};

}  // namespace mmf::detail
