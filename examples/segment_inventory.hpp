// mmf examples — the shapes segment_inventory_writer and segment_inventory_reader share: a record
// type, the containers (with segment_allocator, so they live in the segment), and the names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <mmf/managed_segment.hpp>
#include <mmf/segment_allocator.hpp>
#include <mmf/shared_unordered_map.hpp>

namespace inventory {

using shm_string = std::basic_string<char, std::char_traits<char>, mmf::segment_allocator<char>>;

struct record {
  std::uint32_t id;
  std::uint32_t quantity;
  double price;
};

using records = std::vector<record, mmf::segment_allocator<record>>;
// Item name → index into the records.
using by_name = mmf::shared_unordered_map<shm_string, std::uint64_t>;

inline constexpr const char* segment_name = "Inventory";
inline constexpr const char* lock_name = "Inventory.lock";        // guards the containers
inline constexpr const char* ready_name = "Inventory.ready";      // the writer has built them
inline constexpr const char* updated_name = "Inventory.updated";  // the reader has updated them

}  // namespace inventory
