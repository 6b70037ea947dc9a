// mmf — managed_segment: a named map with a heap and a directory of named objects inside, usable
// from several processes at once, each mapping it at its own address (Boost.Interprocess's
// managed_shared_memory, made crash-safe). Pointers inside the segment are offset_ptr
// (<mmf/offset_ptr.hpp>); containers take a segment_allocator (<mmf/segment_allocator.hpp>).
//
//   auto seg = mmf::managed_segment::create_or_open("Inventory", 1 << 20);
//   auto* n = seg.find_or_construct<std::uint64_t>("count", 0u);
//
// Kinds: create_new / create_or_open / open_existing make or open a non-persisted segment (a named
// map: its memory and name go with the last handle in any process, as memory_mapped_file's);
// create_from_file keeps the heap in a file, which reopens later with its objects.
//
// Heap: a two-level segregated-fit allocator (TLSF: 8 classes per power of two, bitmaps of the
// non-empty classes) with boundary tags and immediate coalescing: allocate and deallocate are
// O(1). Every block carries a 16-byte header; the smallest block is 32 bytes.
//
// Concurrency: allocate, deallocate, construct, find, destroy, free_memory, statistics, check
// and objects are safe from several threads and processes at once (one lock per segment: a
// named_mutex whose name derives from the segment's). The objects themselves are the caller's to
// synchronise.
//
// Crash safety: every word of heap and directory metadata is changed through an undo journal in
// the segment's header (old value recorded, then the journal's count bumped, then the word
// stored; the count is cleared when the operation ends). A process killed at any instruction
// inside an operation leaves the lock abandoned and the journal non-empty; the next process to
// take the lock replays the journal backwards, which restores the heap and directory to their
// state before the dead operation. At most the one block being allocated (or the object being
// constructed or destroyed) is lost. construct() builds the object outside the lock, then
// publishes its directory entry in one step: an object is findable only once its constructor has
// returned, and a constructor that throws leaves nothing behind.
//
// Errors: factories throw mmf::error (std::error_code& overloads: noexcept, ec set, empty object
// returned): invalid_argument (bad or empty name: a segment is always named; size too small to hold
// the header and one block; a map or file that is not a segment), file_exists (create_new of a
// taken name), no_such_file_or_ directory (open_existing of none), not_enough_memory /
// no_space_on_device, permission_denied, and the file errors of
// memory_mapped_file::create_from_file. Members of an empty or moved-from segment throw
// bad_file_descriptor (size() is 0, name() empty, contains() false, deallocate() does nothing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <system_error>
#include <typeinfo>
#include <utility>
#include <vector>

#include <mmf/access.hpp>
#include <mmf/export.hpp>
#include <mmf/offset_ptr.hpp>
#include <mmf/segment_allocator.hpp>

namespace mmf {

// How fragmented the heap is: a snapshot taken under the lock.
struct segment_statistics {
  std::uint64_t size = 0;                // bytes of the segment
  std::uint64_t heap_bytes = 0;          // bytes of the heap (the segment less its header)
  std::uint64_t free_bytes = 0;          // total of the free blocks (headers included)
  std::uint64_t largest_free_block = 0;  // the largest single free block
  std::uint64_t free_blocks = 0;
  std::uint64_t used_blocks = 0;
  std::uint64_t objects = 0;     // named objects in the directory
  std::uint64_t recoveries = 0;  // journals of dead operations replayed since the creation
  // 1 - largest_free_block / free_bytes: 0 when all free memory is one block (0 when none).
  double fragmentation() const noexcept {
    return free_bytes == 0
               ? 0.0
               : 1.0 - static_cast<double>(largest_free_block) / static_cast<double>(free_bytes);
  }
};

// The heap-consistency checker's findings (managed_segment::check()).
struct segment_check {
  bool ok = true;
  std::string problem;  // the first inconsistency found, empty when ok
  std::uint64_t blocks = 0;
  std::uint64_t free_blocks = 0;
  std::uint64_t used_blocks = 0;
  std::uint64_t free_bytes = 0;
  std::uint64_t objects = 0;
  explicit operator bool() const noexcept { return ok; }
};

// One named object, as managed_segment::objects() lists it.
struct segment_object_info {
  std::string name;
  std::string type;  // the type's std::type_info::name() in the constructing program
  std::uint64_t size = 0;
};

class MMF_API managed_segment {
 public:
  managed_segment() noexcept;
  managed_segment(managed_segment&&) noexcept;
  managed_segment& operator=(managed_segment&&) noexcept;
  managed_segment(const managed_segment&) = delete;
  managed_segment& operator=(const managed_segment&) = delete;
  ~managed_segment();

  // A new non-persisted segment of `size` bytes. file_exists if the name is taken.
  static managed_segment create_new(std::string_view name, std::uint64_t size);
  static managed_segment create_new(std::string_view name, std::uint64_t size,
                                    std::error_code& ec) noexcept;
  // Opens the segment of that name, or creates it with `size` bytes (size ignored on open, but
  // still validated). *created_new says which.
  static managed_segment create_or_open(std::string_view name, std::uint64_t size,
                                        bool* created_new = nullptr);
  static managed_segment create_or_open(std::string_view name, std::uint64_t size,
                                        bool* created_new, std::error_code& ec) noexcept;
  static managed_segment open_existing(std::string_view name);
  static managed_segment open_existing(std::string_view name, std::error_code& ec) noexcept;
  // A persisted heap in the file at `path`. file_mode as memory_mapped_file::create_from_file;
  // a new or empty file gets `size` bytes; an existing segment file keeps its own size (size 0
  // is then allowed). The file's lock name derives from the absolute path, so processes that open
  // one file by the same path share the lock.
  static managed_segment create_from_file(const std::filesystem::path& path, file_mode mode,
                                          std::uint64_t size);
  static managed_segment create_from_file(const std::filesystem::path& path, file_mode mode,
                                          std::uint64_t size, std::error_code& ec) noexcept;

  explicit operator bool() const noexcept { return impl_ != nullptr; }

  // `bytes` (0 counts as 1) aligned to `alignment` (a power of two; otherwise invalid_argument).
  // Full: not_enough_memory.
  void* allocate(std::size_t bytes, std::size_t alignment = alignof(std::max_align_t));
  void* allocate(std::size_t bytes, std::size_t alignment, std::error_code& ec) noexcept;
  // Gives back a block from allocate(). nullptr, or a pointer that is not a live block of this
  // segment, is ignored (the checker's block tags recognise live blocks).
  void deallocate(void* p) noexcept;

  // Builds a T named `object_name` (1 to 255 bytes) from args. Taken: file_exists.
  template <class T, class... Args>
  T* construct(std::string_view object_name, Args&&... args) {
    const type_key key = key_of<T>();
    void* block = nullptr;
    T* object = static_cast<T*>(begin_construct(object_name, key, true, block));
    build(object, block, std::forward<Args>(args)...);
    if (publish(block, key) != nullptr) {
      object->~T();
      abandon(block);
      throw_taken(object_name);
    }
    return object;
  }
  // The T named `object_name`, built from args first if absent. Another type: invalid_argument.
  template <class T, class... Args>
  T* find_or_construct(std::string_view object_name, Args&&... args) {
    const type_key key = key_of<T>();
    if (void* found = find_raw(object_name, key)) return static_cast<T*>(found);
    void* block = nullptr;
    T* object = static_cast<T*>(begin_construct(object_name, key, false, block));
    build(object, block, std::forward<Args>(args)...);
    if (void* other = publish(block, key)) {  // another thread or process was first
      object->~T();
      abandon(block);
      if (other == block) throw_mismatch(object_name);
      return static_cast<T*>(other);
    }
    return object;
  }
  // nullptr when absent; another type: invalid_argument.
  template <class T>
  T* find(std::string_view object_name) const {
    return static_cast<T*>(find_raw(object_name, key_of<T>()));
  }
  // Removes the object from the directory, destroys it and frees its memory. false when absent;
  // another type: invalid_argument.
  template <class T>
  bool destroy(std::string_view object_name) {
    void* object = nullptr;
    void* block = unlink_raw(object_name, key_of<T>(), object);
    if (block == nullptr) return false;
    static_cast<T*>(object)->~T();
    abandon(block);
    return true;
  }
  template <class T>
  segment_allocator<T> get_allocator() const noexcept {
    return segment_allocator<T>(base());
  }

  std::uint64_t size() const noexcept;
  // Total bytes of the free blocks (each block's 16-byte header included).
  std::uint64_t free_memory() const;
  bool contains(const void* p) const noexcept;
  std::string_view name() const noexcept;  // the name or the path as given

  segment_statistics statistics() const;
  // Walks every block, every free list and the directory; a report, never an exception for a
  // corrupt heap (bad_file_descriptor only on an empty object).
  segment_check check() const;
  std::vector<segment_object_info> objects() const;

  struct impl;

 private:
  struct type_key {
    const char* name;
    std::size_t size;
    std::size_t alignment;
  };
  template <class T>
  static type_key key_of() noexcept {
    return {typeid(T).name(), sizeof(T), alignof(T)};
  }
  template <class T, class... Args>
  void build(T* object, void* block, Args&&... args) {
    try {
      ::new (static_cast<void*>(object)) T(std::forward<Args>(args)...);
    } catch (...) {
      abandon(block);
      throw;
    }
  }

  void* base() const noexcept;
  void* find_raw(std::string_view object_name, type_key key) const;
  // Allocates a block with an unpublished directory entry and room for the object; returns the
  // object's address. must_be_new: file_exists if the name is taken now.
  void* begin_construct(std::string_view object_name, type_key key, bool must_be_new, void*& block);
  // Publishes the entry; returns nullptr, or the object already published under that name (then
  // nothing is published), or `block` itself when that object is of another type.
  void* publish(void* block, type_key key);
  void abandon(void* block) noexcept;
  void* unlink_raw(std::string_view object_name, type_key key, void*& object);
  [[noreturn]] static void throw_taken(std::string_view object_name);
  [[noreturn]] static void throw_mismatch(std::string_view object_name);

  explicit managed_segment(std::shared_ptr<impl> p) noexcept;
  std::shared_ptr<impl> impl_;
};

}  // namespace mmf
