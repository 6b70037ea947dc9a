// mmf — segment_allocator<T>: a standard Allocator that takes its memory from a managed_segment,
// with pointer = offset_ptr<T>, so that a container built with it can live in the segment and be
// used from every process that maps the segment.
//
//   auto seg = mmf::managed_segment::create_new("Data", 1 << 20);
//   using vec = std::vector<int, mmf::segment_allocator<int>>;
//   vec* v = seg.construct<vec>("numbers", seg.get_allocator<int>());
//   v->push_back(42);   // another process: seg.find<vec>("numbers")->push_back(43);
//
// The allocator holds an offset_ptr to its segment, so it may itself be stored in the segment
// (inside a container) and still name the segment in another process. Allocation and
// deallocation take the segment's lock (see <mmf/managed_segment.hpp>) and are safe from several
// threads and processes at once; the container built with it is the caller's to synchronise.
//
// Nested containers: construct() passes the allocator on to elements that use one (uses-allocator
// construction), so std::vector<shm_string, segment_allocator<shm_string>>::emplace_back("text")
// builds the string in the segment too.
//
// Allocator properties: allocators of one segment compare equal, of different segments unequal
// (is_always_equal is false); they propagate on copy/move assignment and swap, so a container
// never ends up holding memory of one segment with an allocator of another. A default-constructed
// allocator belongs to no segment: allocate() on it throws bad_file_descriptor.
//
// Errors: allocate() throws mmf::error with not_enough_memory when the segment is full,
// bad_file_descriptor when the segment is not open in this process, and std::bad_array_new_length
// when n * sizeof(T) overflows. deallocate() never throws.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include <mmf/export.hpp>
#include <mmf/offset_ptr.hpp>

namespace mmf {

namespace detail {
// The heap of the segment whose header is at `segment` (as managed_segment hands it to
// get_allocator()), for segment_allocator. Throw as segment_allocator::allocate documents.
MMF_API void* segment_allocate(void* segment, std::size_t bytes, std::size_t alignment);
MMF_API void segment_deallocate(void* segment, void* p) noexcept;
}  // namespace detail

template <class T>
class segment_allocator {
 public:
  using value_type = T;
  using pointer = offset_ptr<T>;
  using const_pointer = offset_ptr<const T>;
  using void_pointer = offset_ptr<void>;
  using const_void_pointer = offset_ptr<const void>;
  using size_type = std::size_t;
  using difference_type = std::ptrdiff_t;
  using propagate_on_container_copy_assignment = std::true_type;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  using is_always_equal = std::false_type;
  template <class U>
  struct rebind {
    using other = segment_allocator<U>;
  };

  segment_allocator() noexcept = default;
  // `segment` is the segment's base address in this process (managed_segment::get_allocator).
  explicit segment_allocator(void* segment) noexcept : segment_(segment) {}
  segment_allocator(const segment_allocator& other) noexcept : segment_(other.segment_) {}
  template <class U>
  segment_allocator(const segment_allocator<U>& other) noexcept  // NOLINT: rebinding
      : segment_(other.segment()) {}
  segment_allocator& operator=(const segment_allocator& other) noexcept {
    segment_ = other.segment_;
    return *this;
  }

  pointer allocate(size_type n) {
    if (n > std::numeric_limits<size_type>::max() / sizeof(T)) throw std::bad_array_new_length();
    return pointer(static_cast<T*>(detail::segment_allocate(segment(), n * sizeof(T), alignof(T))));
  }
  void deallocate(pointer p, size_type) noexcept { detail::segment_deallocate(segment(), p.get()); }

  // Uses-allocator construction (as std::scoped_allocator_adaptor does): an element that takes a
  // segment_allocator (a string in a vector, a vector in a map) is given this one, so nested
  // containers take their memory from the same segment without naming the allocator.
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    std::uninitialized_construct_using_allocator(p, *this, std::forward<Args>(args)...);
  }

  // The segment's base address in this process (nullptr for a default-constructed allocator).
  void* segment() const noexcept { return segment_.get(); }

  template <class U>
  friend bool operator==(const segment_allocator& a, const segment_allocator<U>& b) noexcept {
    return a.segment() == b.segment();
  }

 private:
  offset_ptr<void> segment_;
};

}  // namespace mmf
