// mmf — the heap and directory inside a managed_segment, and their undo journal (portable; it
// works on the segment's bytes only: the lock that serialises its users is managed_segment.cpp's).
//
// Layout of a segment (every offset relative to the segment's first byte, so valid in every
// process):
//
//   [0, heap_begin)          header: magic, sizes, counters, TLSF bitmaps and free-list heads,
//                            directory buckets, undo journal
//   [heap_begin, heap_end)   blocks, one after another; the last is a 16-byte used sentinel
//
// A block starts 16-byte aligned with a header word: size | used (bit 0) | prev_used (bit 1).
//   used:  word 1 is a tag (the block's offset ^ tag_key); the payload starts at +16.
//   free:  word 1 = next free block in its class, word 2 = previous (0 = none); the last word of
//          the block repeats its size (the boundary tag that lets the next block find it).
// No two free blocks are adjacent (deallocate coalesces at once).
//
// Free blocks are kept in TLSF classes: fl = floor(log2(size)) - 5 (48 levels), sl = the 3 bits
// below the leading one (8 classes per level). allocate rounds the request up to the next class
// boundary, so the head of any non-empty class at or above it fits: one bitmap search, O(1).
//
// Directory: 256 buckets of singly-linked entries. An entry sits at the start of its object's
// block (entry, name, type name, padding, object).
//
// Journal: every change of a metadata word (block headers, footers, links, bitmaps, heads,
// counters, buckets) goes through set(): the word's offset and old value are written to
// journal[count], then count is bumped (one aligned 32-bit store), then the word is stored. A
// writer killed at any point leaves count covering every word it changed (and possibly one entry
// whose word was not yet stored: restoring it is harmless). commit() clears count; rollback()
// restores the entries from the last to the first, which is idempotent, so a replayer killed
// during a replay is itself replayed correctly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <mmf/managed_segment.hpp>

namespace mmf::detail::segment {

inline constexpr std::uint64_t segment_magic = 0x31474553464d4d00ull;  // "\0MMFSEG1"
inline constexpr std::uint32_t segment_version = 1;
inline constexpr unsigned fl_count = 48;
inline constexpr unsigned sl_bits = 3;
inline constexpr unsigned sl_count = 1u << sl_bits;
inline constexpr unsigned min_shift = 5;  // the smallest block: 32 bytes
inline constexpr unsigned bucket_count = 256;
inline constexpr unsigned journal_capacity = 512;
inline constexpr std::size_t max_object_name = 255;

struct journal_entry {
  std::uint64_t offset;
  std::uint64_t old;
};

struct header {
  std::uint64_t magic;
  std::uint32_t version;
  std::uint32_t journal_count;
  std::uint64_t size;
  std::uint64_t heap_begin;
  std::uint64_t heap_end;
  std::uint64_t free_bytes;
  std::uint64_t free_blocks;
  std::uint64_t used_blocks;
  std::uint64_t objects;
  std::uint64_t replays;  // journals replayed so far (diagnostics; not journaled)
  std::uint64_t fl_bitmap;
  std::uint64_t sl_bitmap[fl_count];
  std::uint64_t heads[fl_count][sl_count];
  std::uint64_t buckets[bucket_count];
  journal_entry journal[journal_capacity];
};

struct entry {
  std::uint64_t next;
  std::uint64_t hash;
  std::uint64_t object;  // offset of the object
  std::uint64_t object_size;
  std::uint32_t name_length;
  std::uint32_t type_length;
  // name bytes, then type name bytes
};

// The smallest segment: the header and room for a few blocks.
std::uint64_t minimum_size() noexcept;

// Offsets of a block's payload and back.
inline constexpr std::uint64_t payload_offset = 16;

class heap {
 public:
  explicit heap(std::byte* base) noexcept : base_(base), h_(reinterpret_cast<header*>(base)) {}

  // Writes an empty heap over `size` bytes (>= minimum_size()); the magic last.
  static void format(std::byte* base, std::uint64_t size) noexcept;
  // Whether the header describes a segment that fits in `mapped` bytes.
  static bool valid(const std::byte* base, std::uint64_t mapped) noexcept;

  // Undoes an interrupted operation if the journal holds one; true when it did.
  bool recover() noexcept;
  void commit() noexcept;
  void rollback() noexcept;

  // Offset of a payload of `bytes` aligned to `alignment` (a power of two), or 0 when no block
  // fits.
  std::uint64_t allocate(std::uint64_t bytes, std::uint64_t alignment) noexcept;
  // Frees the block whose payload is at `payload`; false (nothing changed) when it is not a live
  // block.
  bool deallocate(std::uint64_t payload) noexcept;
  bool is_live_payload(std::uint64_t payload) const noexcept;

  // Directory. find returns the entry's offset (0 when absent) and the offset of the word that
  // links to it.
  std::uint64_t find(std::string_view name, std::uint64_t* link = nullptr) const noexcept;
  void publish(std::uint64_t entry_offset) noexcept;  // the entry's fields are written
  void unlink(std::uint64_t entry_offset, std::uint64_t link) noexcept;
  static std::uint64_t hash(std::string_view name) noexcept;
  entry& entry_at(std::uint64_t offset) const noexcept {
    return *reinterpret_cast<entry*>(base_ + offset);
  }
  std::string_view entry_name(const entry& e) const noexcept;
  std::string_view entry_type(const entry& e) const noexcept;

  segment_statistics statistics() const noexcept;
  segment_check check() const;
  std::vector<segment_object_info> objects() const;

  header& head() const noexcept { return *h_; }

 private:
  std::uint64_t& word(std::uint64_t offset) const noexcept {
    return *reinterpret_cast<std::uint64_t*>(base_ + offset);
  }
  std::uint64_t offset_of(const void* p) const noexcept {
    return static_cast<std::uint64_t>(static_cast<const std::byte*>(p) - base_);
  }
  void set(std::uint64_t offset, std::uint64_t value) noexcept;
  void set_word(std::uint64_t& w, std::uint64_t value) noexcept { set(offset_of(&w), value); }

  void insert_free(std::uint64_t block, std::uint64_t size) noexcept;
  void remove_free(std::uint64_t block, std::uint64_t size) noexcept;
  std::uint64_t find_free(std::uint64_t size) const noexcept;

  std::byte* base_;
  header* h_;
};

}  // namespace mmf::detail::segment
