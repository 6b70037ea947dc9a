// mmf tests — the types and contents that segment tests and their helper commands share (the
// parent builds them, the child checks and extends them).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <mmf/managed_segment.hpp>
#include <mmf/segment_allocator.hpp>
#include <mmf/shared_map.hpp>
#include <mmf/shared_unordered_map.hpp>

namespace mmf_segment_shapes {

using shm_string = std::basic_string<char, std::char_traits<char>, mmf::segment_allocator<char>>;
using int_vector = std::vector<int, mmf::segment_allocator<int>>;
using string_vector = std::vector<shm_string, mmf::segment_allocator<shm_string>>;
using string_index = mmf::shared_unordered_map<shm_string, std::uint64_t>;
using string_order = mmf::shared_map<std::int64_t, shm_string>;

inline constexpr std::string_view parent_greeting =
    "hello from the parent, long enough not to fit in the small-string buffer";
inline constexpr std::string_view child_suffix = "; and hello back from the child";

inline std::string word(std::size_t i) {
  return "word number " + std::to_string(i) + " (long enough to leave the SSO buffer)";
}

// A worker's record of the blocks it holds: offsets from the table itself (0 = empty slot), so
// that a successor can free what a killed worker held.
inline constexpr std::uint64_t slot_count = 64;
inline constexpr std::uint64_t object_names = 8;  // a worker's named objects: o<index>_<k>
struct slot_table {
  std::uint64_t slots[slot_count] = {};
};

}  // namespace mmf_segment_shapes
