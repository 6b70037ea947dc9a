// mmf tests — helper commands for managed_segment (segment_multiprocess_test.cpp and the
// reliability suite's segment figures).
//
//   segment_containers <name> <reserve_bytes>
//                                maps `reserve_bytes` of address space first (so that the segment
//                                lands elsewhere than in the parent), opens the segment, prints
//                                "at <hex address of the vector object>", checks the vector
//                                "numbers" (0..n-1), the string "greeting" and the vector of
//                                strings "words" the parent built, appends to each, checks the
//                                hash map "index" and the ordered map "ordered" and adds to them,
//                                prints "done" (or "bad <what>" and exits 1).
//   segment_worker <name> <index> <ops> <seed>
//                                opens the segment and its slot table "table_<index>", frees what a
//                                previous (killed) worker of that index left in the table, prints
//                                "ready", then runs `ops` random operations (0: until the
//                                std::uint32_t object "stop" is non-zero): allocate / deallocate /
//                                construct / find / destroy, checking the pattern of every block
//                                it frees. Frees everything, prints "done <ops>" (or
//                                "bad <what>", exit 1).
#include <atomic>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <mmf/managed_segment.hpp>
#include <mmf/memory_mapped_file.hpp>
#include <mmf/shared_map.hpp>
#include <mmf/shared_unordered_map.hpp>
#include <mmf/view_accessor.hpp>

#include "helper/helper.hpp"
#include "helper/segment_shapes.hpp"

namespace {

using namespace mmf_segment_shapes;

std::string hex(const void* p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%" PRIxPTR, reinterpret_cast<std::uintptr_t>(p));
  return buf;
}

int bad(const std::string& what) {
  mmf_helper::say("bad " + what);
  return 1;
}

}  // namespace

MMF_HELPER_COMMAND(segment_containers) {
  if (argc != 3) throw mmf_helper::usage_error{"segment_containers <name> <reserve_bytes>"};
  // Address space taken before the segment is mapped: the segment's view lands elsewhere.
  auto reserve =
      mmf::memory_mapped_file::create_new({}, mmf_helper::to_u64(argv[2]), mmf::access::read_write,
                                          mmf::map_options::delay_allocate_pages);
  auto reserved_view = reserve.create_view_accessor();
  auto seg = mmf::managed_segment::open_existing(argv[1]);
  auto* numbers = seg.find<int_vector>("numbers");
  auto* greeting = seg.find<shm_string>("greeting");
  auto* words = seg.find<string_vector>("words");
  auto* index = seg.find<string_index>("index");
  auto* ordered = seg.find<string_order>("ordered");
  if (!numbers || !greeting || !words || !index || !ordered) return bad("missing object");
  mmf_helper::say("at " + hex(numbers));
  for (std::size_t i = 0; i < numbers->size(); ++i)
    if ((*numbers)[i] != static_cast<int>(i)) return bad("numbers[" + std::to_string(i) + "]");
  if (std::string_view(*greeting) != parent_greeting)
    return bad("greeting: " + std::string(*greeting));
  for (std::size_t i = 0; i < words->size(); ++i)
    if (std::string_view((*words)[i]) != word(i)) return bad("words[" + std::to_string(i) + "]");
  for (std::size_t i = 0; i < index->size(); ++i) {
    auto it = index->find(std::string_view(word(i)));
    if (it == index->end() || it->second != i) return bad("index " + word(i));
  }
  std::size_t expect = 0;
  for (const auto& kv : *ordered) {
    if (kv.first != static_cast<std::int64_t>(expect) ||
        std::string_view(kv.second) != word(expect))
      return bad("ordered " + std::to_string(expect));
    ++expect;
  }
  const std::size_t n = numbers->size();
  for (std::size_t i = n; i < 2 * n; ++i)
    numbers->push_back(static_cast<int>(i));
  greeting->append(child_suffix);
  const std::size_t w = words->size();
  for (std::size_t i = w; i < 2 * w; ++i)
    words->emplace_back(word(i));
  for (std::size_t i = w; i < 2 * w; ++i) {
    index->insert(shm_string(word(i), seg.get_allocator<char>()), i);
    ordered->insert(static_cast<std::int64_t>(i), shm_string(word(i), seg.get_allocator<char>()));
  }
  mmf_helper::say("done");
  return 0;
}

MMF_HELPER_COMMAND(segment_worker) {
  if (argc != 5) throw mmf_helper::usage_error{"segment_worker <name> <index> <ops> <seed>"};
  auto seg = mmf::managed_segment::open_existing(argv[1]);
  const std::string index = argv[2];
  const std::uint64_t ops = mmf_helper::to_u64(argv[3]);
  std::mt19937_64 rng(mmf_helper::to_u64(argv[4]));
  auto* table = seg.find<slot_table>("table_" + index);
  auto* stop = seg.find<std::atomic<std::uint32_t>>("stop");
  if (table == nullptr || stop == nullptr) return bad("no table or stop flag");
  auto* table_base = reinterpret_cast<std::byte*>(table);
  auto at = [&](std::uint64_t slot) { return table_base + table->slots[slot]; };
  // What a killed predecessor left: its blocks (recorded) and its objects (named by index).
  for (std::uint64_t s = 0; s < slot_count; ++s) {
    if (table->slots[s] == 0) continue;
    void* p = at(s);
    table->slots[s] = 0;
    seg.deallocate(p);
  }
  for (std::uint64_t k = 0; k < object_names; ++k)
    seg.destroy<std::uint64_t>("o" + index + "_" + std::to_string(k));
  mmf_helper::say("ready");

  const auto pattern = [&](std::uint64_t slot) { return slot * 0x9e3779b97f4a7c15ull + 1; };
  std::uint64_t done = 0;
  for (; ops == 0 ? stop->load() == 0 : done < ops; ++done) {
    const auto r = rng() % 100;
    const std::uint64_t slot = rng() % slot_count;
    if (r < 45) {  // allocate into a free slot (freeing what is there first)
      if (table->slots[slot] != 0) {
        void* p = at(slot);
        if (*static_cast<std::uint64_t*>(p) != pattern(slot)) return bad("pattern");
        table->slots[slot] = 0;
        seg.deallocate(p);
      }
      const std::size_t bytes = rng() % 8 == 0 ? 8 + rng() % 16384 : 8 + rng() % 512;
      const std::size_t align = std::size_t{8} << (rng() % 4);
      std::error_code ec;
      void* p = seg.allocate(bytes, align, ec);
      if (p == nullptr) {
        if (ec != std::errc::not_enough_memory) return bad("allocate: " + ec.message());
        continue;
      }
      if (reinterpret_cast<std::uintptr_t>(p) % align != 0) return bad("alignment");
      std::memset(p, 0x5a, bytes);
      *static_cast<std::uint64_t*>(p) = pattern(slot);
      table->slots[slot] = static_cast<std::uint64_t>(static_cast<std::byte*>(p) - table_base);
    } else if (r < 85) {  // deallocate
      if (table->slots[slot] == 0) continue;
      void* p = at(slot);
      if (*static_cast<std::uint64_t*>(p) != pattern(slot)) return bad("pattern");
      table->slots[slot] = 0;
      seg.deallocate(p);
    } else {  // named objects of this worker: construct, find, destroy
      const std::uint64_t k = rng() % object_names;
      const std::string name = "o" + index + "_" + std::to_string(k);
      const auto value = k * 1000 + 7;
      if (r < 92) {
        try {
          auto* o = seg.find_or_construct<std::uint64_t>(name, value);
          if (*o != value) return bad("object value");
        } catch (const mmf::error& e) {
          if (e.code() != std::errc::not_enough_memory) throw;
        }
      } else if (r < 96) {
        if (auto* o = seg.find<std::uint64_t>(name); o != nullptr && *o != value)
          return bad("object value");
      } else {
        seg.destroy<std::uint64_t>(name);
      }
    }
  }
  for (std::uint64_t s = 0; s < slot_count; ++s) {
    if (table->slots[s] == 0) continue;
    void* p = at(s);
    if (*static_cast<std::uint64_t*>(p) != pattern(s)) return bad("pattern");
    table->slots[s] = 0;
    seg.deallocate(p);
  }
  for (std::uint64_t k = 0; k < object_names; ++k)
    seg.destroy<std::uint64_t>("o" + index + "_" + std::to_string(k));
  mmf_helper::say("done " + std::to_string(done));
  return 0;
}
