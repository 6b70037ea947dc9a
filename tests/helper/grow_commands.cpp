// mmf tests — the reader of the cross-process growth test (grow_test.cpp).
//
//   map_grow_reader <name> <final capacity>
//       Opens the named map, prints "ready <capacity>", then until the map's published length
//       (the u64 at offset 0, which the writer raises after it has written each grown part)
//       reaches <final capacity> (and each way was used at least once): alternately reopens the map
//       with open_existing and calls refresh_capacity() on the handle it has, checks that the
//       capacity covers the published length, and checks every byte in [8, published length)
//       against grow_pattern() (grow_pattern.hpp). Prints "done <rounds> <reopens> <refreshes>" and
//       exits 0, or "bad <what>" and exits 1.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include <mmf/memory_mapped_file.hpp>

#include "helper/grow_pattern.hpp"
#include "helper/helper.hpp"

namespace {

std::uint64_t published(const mmf::memory_mapped_file& map) {
  auto head = map.create_view_accessor(0, 8, mmf::access::read);
  // The header is only ever read here through an atomic load (the writer stores it atomically).
  auto* word = reinterpret_cast<std::uint64_t*>(const_cast<std::byte*>(head.bytes().data()));
  return std::atomic_ref<std::uint64_t>(*word).load(std::memory_order_acquire);
}

}  // namespace

MMF_HELPER_COMMAND(map_grow_reader) {
  if (argc != 3) throw mmf_helper::usage_error{"map_grow_reader <name> <final capacity>"};
  const std::string name = argv[1];
  const std::uint64_t final_capacity = mmf_helper::to_u64(argv[2]);
  auto map = mmf::memory_mapped_file::open_existing(name, mmf::access::read);
  mmf_helper::say("ready " + std::to_string(map.capacity()));
  std::uint64_t rounds = 0, reopens = 0, refreshes = 0, checked = 8;
  for (;;) {
    const std::uint64_t length = published(map);
    if (rounds % 2 == 0) {
      map = mmf::memory_mapped_file::open_existing(name, mmf::access::read);
      ++reopens;
    } else {
      const std::uint64_t before = map.capacity();
      const std::uint64_t now = map.refresh_capacity();
      if (now < before || now != map.capacity()) {
        mmf_helper::say("bad refresh_capacity went from " + std::to_string(before) + " to " +
                        std::to_string(now));
        return 1;
      }
      ++refreshes;
    }
    ++rounds;
    if (map.capacity() < length) {
      mmf_helper::say("bad capacity " + std::to_string(map.capacity()) + " < published " +
                      std::to_string(length));
      return 1;
    }
    // Every byte written so far, the old ones again through the new handle or size.
    auto view = map.create_view_accessor(0, length, mmf::access::read);
    const auto bytes = view.bytes();
    for (std::uint64_t at = 8; at < length; ++at) {
      const auto got = static_cast<std::uint8_t>(bytes[static_cast<std::size_t>(at)]);
      if (got != mmf_helper::grow_pattern(at)) {
        mmf_helper::say("bad byte at " + std::to_string(at) + ": " + std::to_string(got) +
                        " after published " + std::to_string(length));
        return 1;
      }
    }
    checked = length;
    if (length >= final_capacity && reopens > 0 && refreshes > 0) break;
  }
  mmf_helper::say("done " + std::to_string(rounds) + " " + std::to_string(reopens) + " " +
                  std::to_string(refreshes) + " " + std::to_string(checked));
  return 0;
}
