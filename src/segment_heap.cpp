// mmf — the segment heap, directory, journal and checker (see segment_heap.hpp for the layout).
#include "segment_heap.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <exception>

namespace mmf::detail::segment {

namespace {

constexpr std::uint64_t used_bit = 1;
constexpr std::uint64_t prev_used_bit = 2;
constexpr std::uint64_t flag_mask = 15;
constexpr std::uint64_t tag_key = 0xa5c3e1f00f1e3c5aull;
constexpr std::uint64_t min_block = 1u << min_shift;

constexpr std::uint64_t round_up(std::uint64_t v, std::uint64_t a) noexcept {
  return (v + a - 1) & ~(a - 1);
}

constexpr std::uint64_t heap_begin_offset() noexcept {
  return round_up(sizeof(header), 64);
}

void mapping(std::uint64_t size, unsigned& fl, unsigned& sl) noexcept {
  const unsigned f = 63u - static_cast<unsigned>(std::countl_zero(size));
  sl = static_cast<unsigned>((size >> (f - sl_bits)) & (sl_count - 1));
  fl = f - min_shift;
}

}  // namespace

std::uint64_t minimum_size() noexcept {
  return heap_begin_offset() + 1024;
}

void heap::format(std::byte* base, std::uint64_t size) noexcept {
  std::memset(base, 0, heap_begin_offset());
  auto* h = reinterpret_cast<header*>(base);
  h->version = segment_version;
  h->size = size;
  h->heap_begin = heap_begin_offset();
  h->heap_end = size & ~std::uint64_t{15};
  heap hp(base);
  const std::uint64_t sentinel = h->heap_end - 16;
  const std::uint64_t first = h->heap_begin;
  const std::uint64_t first_size = sentinel - first;
  hp.word(sentinel) = 16 | used_bit;  // prev (the first block) is free
  hp.word(sentinel + 8) = sentinel ^ tag_key;
  hp.word(first) = first_size | prev_used_bit;
  hp.word(first + first_size - 8) = first_size;
  hp.insert_free(first, first_size);
  h->free_bytes = first_size;
  h->free_blocks = 1;
  h->journal_count = 0;  // insert_free journaled into a journal nobody needs
  std::atomic_ref<std::uint64_t>(h->magic).store(segment_magic, std::memory_order_release);
}

bool heap::valid(const std::byte* base, std::uint64_t mapped) noexcept {
  const auto* h = reinterpret_cast<const header*>(base);
  return h->magic == segment_magic && h->version == segment_version && h->size <= mapped &&
         h->size >= minimum_size() && h->heap_begin == heap_begin_offset() &&
         h->heap_end == (h->size & ~std::uint64_t{15}) && h->journal_count <= journal_capacity;
}

void heap::set(std::uint64_t offset, std::uint64_t value) noexcept {
  const std::uint32_t n = h_->journal_count;
  if (n >= journal_capacity) std::terminate();  // an operation larger than any this file makes
  h_->journal[n] = {offset, word(offset)};
  std::atomic_signal_fence(std::memory_order_seq_cst);
  std::atomic_ref<std::uint32_t>(h_->journal_count).store(n + 1, std::memory_order_release);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  word(offset) = value;
}

void heap::commit() noexcept {
  std::atomic_signal_fence(std::memory_order_seq_cst);
  std::atomic_ref<std::uint32_t>(h_->journal_count).store(0, std::memory_order_release);
}

void heap::rollback() noexcept {
  std::uint32_t n = std::min<std::uint32_t>(h_->journal_count, journal_capacity);
  while (n > 0) {
    --n;
    const journal_entry& e = h_->journal[n];
    // A journal is only ever written by this code; still, never write outside the metadata.
    if (e.offset % 8 == 0 && e.offset + 8 <= h_->heap_end && e.offset >= offset_of(&h_->free_bytes))
      word(e.offset) = e.old;
  }
  commit();
}

bool heap::recover() noexcept {
  if (h_->journal_count == 0) return false;
  rollback();
  ++h_->replays;
  return true;
}

// ---- Free lists ---------------------------------------------------------------------------------

void heap::insert_free(std::uint64_t block, std::uint64_t size) noexcept {
  unsigned fl = 0, sl = 0;
  mapping(size, fl, sl);
  const std::uint64_t old_head = h_->heads[fl][sl];
  set(block + 8, old_head);
  set(block + 16, 0);
  if (old_head != 0) set(old_head + 16, block);
  set_word(h_->heads[fl][sl], block);
  if ((h_->sl_bitmap[fl] & (1ull << sl)) == 0)
    set_word(h_->sl_bitmap[fl], h_->sl_bitmap[fl] | (1ull << sl));
  if ((h_->fl_bitmap & (1ull << fl)) == 0) set_word(h_->fl_bitmap, h_->fl_bitmap | (1ull << fl));
}

void heap::remove_free(std::uint64_t block, std::uint64_t size) noexcept {
  unsigned fl = 0, sl = 0;
  mapping(size, fl, sl);
  const std::uint64_t next = word(block + 8);
  const std::uint64_t prev = word(block + 16);
  if (prev != 0)
    set(prev + 8, next);
  else
    set_word(h_->heads[fl][sl], next);
  if (next != 0) set(next + 16, prev);
  if (h_->heads[fl][sl] == 0) {
    set_word(h_->sl_bitmap[fl], h_->sl_bitmap[fl] & ~(1ull << sl));
    if (h_->sl_bitmap[fl] == 0) set_word(h_->fl_bitmap, h_->fl_bitmap & ~(1ull << fl));
  }
}

std::uint64_t heap::find_free(std::uint64_t size) const noexcept {
  // Round up to the next class boundary: every block of the class found then fits.
  const unsigned f = 63u - static_cast<unsigned>(std::countl_zero(size));
  const std::uint64_t rounded = size + (1ull << (f - sl_bits)) - 1;
  unsigned fl = 0, sl = 0;
  mapping(rounded, fl, sl);
  if (fl >= fl_count) return 0;
  std::uint64_t sl_map = h_->sl_bitmap[fl] & (~0ull << sl);
  if (sl_map == 0) {
    const std::uint64_t fl_map = fl + 1 < 64 ? h_->fl_bitmap & (~0ull << (fl + 1)) : 0;
    if (fl_map == 0) return 0;
    fl = static_cast<unsigned>(std::countr_zero(fl_map));
    if (fl >= fl_count) return 0;
    sl_map = h_->sl_bitmap[fl];
  }
  sl = static_cast<unsigned>(std::countr_zero(sl_map));
  return sl < sl_count ? h_->heads[fl][sl] : 0;
}

// ---- Blocks
// ---------------------------------------------------------------------------------------

std::uint64_t heap::allocate(std::uint64_t bytes, std::uint64_t alignment) noexcept {
  const std::uint64_t heap_bytes = h_->heap_end - h_->heap_begin;
  if (bytes > heap_bytes || alignment > heap_bytes) return 0;
  if (alignment < 16) alignment = 16;
  const std::uint64_t need =
      std::max(round_up(std::max<std::uint64_t>(bytes, 1) + 16, 16), min_block);
  // An over-aligned request also needs room to cut a free block of min_block before the payload.
  const std::uint64_t search = alignment > 16 ? need + alignment + min_block : need;
  const std::uint64_t found = find_free(search);
  if (found == 0) return 0;
  std::uint64_t block = found;
  std::uint64_t size = word(block) & ~flag_mask;
  std::uint64_t prev_flag = word(block) & prev_used_bit;
  remove_free(block, size);
  set_word(h_->free_blocks, h_->free_blocks - 1);
  set_word(h_->free_bytes, h_->free_bytes - size);

  if (alignment > 16) {
    std::uint64_t payload = round_up(block + 16, alignment);
    std::uint64_t gap = payload - 16 - block;
    if (gap != 0 && gap < min_block) {
      payload += alignment;
      gap += alignment;
    }
    if (gap != 0) {  // the front becomes a free block of its own (its predecessor is used)
      set(block, gap | prev_flag);
      set(block + gap - 8, gap);
      insert_free(block, gap);
      set_word(h_->free_blocks, h_->free_blocks + 1);
      set_word(h_->free_bytes, h_->free_bytes + gap);
      block += gap;
      size -= gap;
      prev_flag = 0;
    }
  }

  const std::uint64_t rest = size - need;
  if (rest >= min_block) {  // split: the tail stays free (the block after it still sees free)
    const std::uint64_t tail = block + need;
    set(tail, rest | prev_used_bit);
    set(tail + rest - 8, rest);
    insert_free(tail, rest);
    set_word(h_->free_blocks, h_->free_blocks + 1);
    set_word(h_->free_bytes, h_->free_bytes + rest);
    size = need;
  } else {
    const std::uint64_t next = block + size;
    set(next, word(next) | prev_used_bit);
  }
  set(block, size | used_bit | prev_flag);
  set(block + 8, block ^ tag_key);
  set_word(h_->used_blocks, h_->used_blocks + 1);
  return block + payload_offset;
}

bool heap::is_live_payload(std::uint64_t payload) const noexcept {
  if (payload % 16 != 0 || payload < h_->heap_begin + payload_offset || payload + 16 > h_->heap_end)
    return false;
  const std::uint64_t block = payload - payload_offset;
  const std::uint64_t head = word(block);
  const std::uint64_t size = head & ~flag_mask;
  return (head & used_bit) != 0 && word(block + 8) == (block ^ tag_key) && size >= min_block &&
         block + size <= h_->heap_end - 16;
}

bool heap::deallocate(std::uint64_t payload) noexcept {
  if (!is_live_payload(payload)) return false;
  std::uint64_t block = payload - payload_offset;
  std::uint64_t size = word(block) & ~flag_mask;
  std::uint64_t prev_flag = word(block) & prev_used_bit;
  set_word(h_->used_blocks, h_->used_blocks - 1);
  set(block + 8, 0);  // the tag: a second deallocate of this payload is refused
  const std::uint64_t next = block + size;
  const std::uint64_t next_head = word(next);
  if ((next_head & used_bit) == 0) {
    const std::uint64_t next_size = next_head & ~flag_mask;
    remove_free(next, next_size);
    set_word(h_->free_blocks, h_->free_blocks - 1);
    set_word(h_->free_bytes, h_->free_bytes - next_size);
    size += next_size;
  }
  if (prev_flag == 0) {
    const std::uint64_t prev_size = word(block - 8);
    const std::uint64_t prev = block - prev_size;
    prev_flag = word(prev) & prev_used_bit;
    remove_free(prev, prev_size);
    set_word(h_->free_blocks, h_->free_blocks - 1);
    set_word(h_->free_bytes, h_->free_bytes - prev_size);
    block = prev;
    size += prev_size;
  }
  set(block, size | prev_flag);
  set(block + size - 8, size);
  const std::uint64_t after = block + size;
  set(after, word(after) & ~prev_used_bit);
  insert_free(block, size);
  set_word(h_->free_blocks, h_->free_blocks + 1);
  set_word(h_->free_bytes, h_->free_bytes + size);
  return true;
}

// ---- Directory
// ------------------------------------------------------------------------------------

std::uint64_t heap::hash(std::string_view name) noexcept {
  std::uint64_t v = 0xcbf29ce484222325ull;
  for (const char c : name) {
    v ^= static_cast<unsigned char>(c);
    v *= 0x100000001b3ull;
  }
  return v;
}

std::string_view heap::entry_name(const entry& e) const noexcept {
  return {reinterpret_cast<const char*>(&e + 1), e.name_length};
}

std::string_view heap::entry_type(const entry& e) const noexcept {
  return {reinterpret_cast<const char*>(&e + 1) + e.name_length, e.type_length};
}

std::uint64_t heap::find(std::string_view name, std::uint64_t* link) const noexcept {
  const std::uint64_t hv = hash(name);
  std::uint64_t at = offset_of(&h_->buckets[hv % bucket_count]);
  std::uint64_t guard = h_->used_blocks + 1;
  while (word(at) != 0 && guard-- > 0) {
    const std::uint64_t e = word(at);
    const entry& en = entry_at(e);
    if (en.hash == hv && entry_name(en) == name) {
      if (link != nullptr) *link = at;
      return e;
    }
    at = e + offsetof(entry, next);
  }
  return 0;
}

void heap::publish(std::uint64_t entry_offset) noexcept {
  entry& e = entry_at(entry_offset);
  std::uint64_t& bucket = h_->buckets[e.hash % bucket_count];
  e.next = bucket;  // the entry is not reachable yet: a plain store
  set_word(bucket, entry_offset);
  set_word(h_->objects, h_->objects + 1);
}

void heap::unlink(std::uint64_t entry_offset, std::uint64_t link) noexcept {
  set(link, entry_at(entry_offset).next);
  set_word(h_->objects, h_->objects - 1);
}

// ---- Reports
// --------------------------------------------------------------------------------------

segment_statistics heap::statistics() const noexcept {
  segment_statistics s;
  s.size = h_->size;
  s.heap_bytes = h_->heap_end - h_->heap_begin;
  s.free_bytes = h_->free_bytes;
  s.free_blocks = h_->free_blocks;
  s.used_blocks = h_->used_blocks;
  s.objects = h_->objects;
  s.recoveries = h_->replays;
  if (h_->fl_bitmap != 0) {  // the largest block is in the highest non-empty class
    const unsigned fl = 63u - static_cast<unsigned>(std::countl_zero(h_->fl_bitmap));
    const unsigned sl = 63u - static_cast<unsigned>(std::countl_zero(h_->sl_bitmap[fl]));
    std::uint64_t guard = h_->free_blocks + 1;
    for (std::uint64_t b = h_->heads[fl][sl]; b != 0 && guard-- > 0; b = word(b + 8))
      s.largest_free_block = std::max(s.largest_free_block, word(b) & ~flag_mask);
  }
  return s;
}

segment_check heap::check() const {
  segment_check r;
  auto fail = [&r](std::string what) {
    if (r.ok) {
      r.ok = false;
      r.problem = std::move(what);
    }
  };
  const auto hex = [](std::uint64_t v) {
    char buf[24];
    static const char digits[] = "0123456789abcdef";
    int n = 0;
    do {
      buf[n++] = digits[v & 15];
      v >>= 4;
    } while (v != 0);
    std::string s = "0x";
    while (n > 0)
      s += buf[--n];
    return s;
  };
  if (h_->journal_count != 0)
    fail("journal holds " + std::to_string(h_->journal_count) + " entries outside an operation");

  // 1. Walk every block.
  std::vector<std::uint64_t> used;
  std::uint64_t free_walked = 0, free_bytes = 0;
  bool prev_used = true, prev_free = false;
  std::uint64_t b = h_->heap_begin;
  const std::uint64_t sentinel = h_->heap_end - 16;
  while (r.ok && b < sentinel) {
    const std::uint64_t head = word(b);
    const std::uint64_t size = head & ~flag_mask;
    const bool is_used = (head & used_bit) != 0;
    if (size < min_block || size % 16 != 0 || b + size > sentinel) {
      fail("block at " + hex(b) + " has a bad size " + hex(size));
      break;
    }
    if (((head & prev_used_bit) != 0) != prev_used)
      fail("block at " + hex(b) + ": prev_used flag does not match the block before it");
    if (is_used) {
      if (word(b + 8) != (b ^ tag_key)) fail("used block at " + hex(b) + " has a bad tag");
      used.push_back(b);
      prev_free = false;
    } else {
      if (prev_free) fail("free blocks at " + hex(b) + " and before it are not coalesced");
      if (word(b + size - 8) != size) fail("free block at " + hex(b) + " has a bad footer");
      ++free_walked;
      free_bytes += size;
      prev_free = true;
    }
    prev_used = is_used;
    b += size;
  }
  if (r.ok && b != sentinel) fail("the block walk ends at " + hex(b) + ", not at the sentinel");
  if (r.ok && (word(sentinel) & ~flag_mask) != 16) fail("the sentinel block is damaged");
  if (r.ok && ((word(sentinel) & prev_used_bit) != 0) != prev_used)
    fail("sentinel: prev_used flag does not match the last block");
  r.blocks = used.size() + free_walked;
  r.used_blocks = used.size();
  r.free_blocks = free_walked;
  r.free_bytes = free_bytes;

  // 2. Free lists and bitmaps.
  std::uint64_t listed = 0;
  for (unsigned fl = 0; r.ok && fl < fl_count; ++fl) {
    for (unsigned sl = 0; r.ok && sl < sl_count; ++sl) {
      const std::uint64_t first = h_->heads[fl][sl];
      const bool bit = (h_->sl_bitmap[fl] >> sl & 1) != 0;
      if (bit != (first != 0))
        fail("class bitmap bit " + std::to_string(fl) + "/" + std::to_string(sl) +
             " does not match its list");
      std::uint64_t prev = 0;
      for (std::uint64_t f = first; r.ok && f != 0; f = word(f + 8)) {
        if (f < h_->heap_begin || f >= sentinel || f % 16 != 0) {
          fail("free list " + std::to_string(fl) + "/" + std::to_string(sl) + " links to " +
               hex(f) + ", outside the heap");
          break;
        }
        const std::uint64_t head = word(f);
        unsigned mf = 0, ms = 0;
        if ((head & used_bit) != 0) fail("used block " + hex(f) + " is on a free list");
        mapping(head & ~flag_mask, mf, ms);
        if (mf != fl || ms != sl) fail("free block " + hex(f) + " is in the wrong class");
        if (word(f + 16) != prev) fail("free block " + hex(f) + " has a bad back link");
        prev = f;
        if (++listed > free_walked) fail("the free lists hold more blocks than the heap");
      }
    }
    if (r.ok && ((h_->fl_bitmap >> fl & 1) != 0) != (h_->sl_bitmap[fl] != 0))
      fail("level bitmap bit " + std::to_string(fl) + " does not match its classes");
  }
  if (r.ok && listed != free_walked)
    fail(std::to_string(free_walked - listed) + " free blocks are on no free list");
  if (r.ok && h_->free_blocks != free_walked) fail("free block counter is wrong");
  if (r.ok && h_->free_bytes != free_bytes) fail("free byte counter is wrong");
  if (r.ok && h_->used_blocks != used.size()) fail("used block counter is wrong");

  // 3. The directory.
  std::uint64_t objects = 0;
  for (unsigned i = 0; r.ok && i < bucket_count; ++i) {
    for (std::uint64_t e = h_->buckets[i]; r.ok && e != 0; e = entry_at(e).next) {
      const std::uint64_t block = e - payload_offset;
      if (!std::binary_search(used.begin(), used.end(), block)) {
        fail("directory entry " + hex(e) + " is not in a used block");
        break;
      }
      const entry& en = entry_at(e);
      const std::uint64_t block_end = block + (word(block) & ~flag_mask);
      if (en.name_length == 0 || en.name_length > max_object_name ||
          e + sizeof(entry) + en.name_length + en.type_length > block_end)
        fail("directory entry " + hex(e) + " has a bad name");
      else if (en.hash != hash(entry_name(en)) || en.hash % bucket_count != i)
        fail("directory entry \"" + std::string(entry_name(en)) + "\" is in the wrong bucket");
      else if (en.object < e + sizeof(entry) || en.object + en.object_size > block_end)
        fail("directory entry \"" + std::string(entry_name(en)) + "\" points outside its block");
      if (++objects > used.size()) fail("the directory has a cycle");
    }
  }
  if (r.ok && objects != h_->objects) fail("object counter is wrong");
  r.objects = objects;
  return r;
}

std::vector<segment_object_info> heap::objects() const {
  std::vector<segment_object_info> out;
  for (unsigned i = 0; i < bucket_count; ++i) {
    std::uint64_t guard = h_->used_blocks + 1;
    for (std::uint64_t e = h_->buckets[i]; e != 0 && guard-- > 0; e = entry_at(e).next) {
      const entry& en = entry_at(e);
      out.push_back({std::string(entry_name(en)), std::string(entry_type(en)), en.object_size});
    }
  }
  std::sort(out.begin(), out.end(), [](const segment_object_info& a, const segment_object_info& b) {
    return a.name < b.name;
  });
  return out;
}

}  // namespace mmf::detail::segment
