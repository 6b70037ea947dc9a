// mmf tests — the bytes the cross-process growth test writes (grow_test.cpp) and its reader
// checks (helper/grow_commands.cpp).
#pragma once

#include <cstdint>

namespace mmf_helper {

// The byte at `offset` (>= 8; the first 8 bytes hold the published length): not periodic within
// a page or across pages.
inline std::uint8_t grow_pattern(std::uint64_t offset) noexcept {
  return static_cast<std::uint8_t>((offset * 131u) ^ (offset >> 12) ^ 0x5au);
}

}  // namespace mmf_helper
