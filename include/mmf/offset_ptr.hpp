// mmf — offset_ptr<T>: a pointer that stores the distance from itself to its target, so that a
// pointer stored in a managed_segment is valid in every process that maps the segment, whatever
// address each one maps it at.
//
// Representation: one std::ptrdiff_t, the target's address minus the offset_ptr's own address.
// The value 1 means null (a pointer one byte past itself cannot point to anything the pointer
// does not overlap), so an offset_ptr that points to itself (distance 0) is representable.
//
// Copying recomputes the distance (an offset_ptr copied to another address still points to the
// same target). Both the pointer and its target must live in the same mapping for the pointer to
// be meaningful in another process; a pointer to process-local memory stored in a segment is only
// valid in the process that stored it.
//
// Everything a raw pointer offers is here: null, ==, <=>, ->, *, [], ++/--, +/- with an integer,
// difference, conversion to offset_ptr<const T> (and from offset_ptr<Derived>), static casts via
// an explicit constructor, std::pointer_traits (element_type, rebind, pointer_to) and
// std::iterator_traits (random access, contiguous). It converts implicitly to T*, as libstdc++'s
// std::basic_string needs of its allocator's pointer; that T* is valid in the converting process
// only.
//
// Thread safety: like a raw pointer (concurrent reads are fine; a write races with anything).
// No operation throws or allocates.
#pragma once

#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <type_traits>

namespace mmf {

template <class T>
class offset_ptr {
 public:
  using element_type = T;
  using value_type = std::remove_cv_t<T>;
  using difference_type = std::ptrdiff_t;
  using pointer = offset_ptr;
  using reference = std::add_lvalue_reference_t<T>;
  using iterator_category = std::random_access_iterator_tag;
  using iterator_concept = std::contiguous_iterator_tag;
  template <class U>
  using rebind = offset_ptr<U>;

  offset_ptr() noexcept = default;
  offset_ptr(std::nullptr_t) noexcept {}  // NOLINT: implicit, like a raw pointer
  offset_ptr(T* p) noexcept { set(p); }   // NOLINT: containers build pointers from T*
  offset_ptr(const offset_ptr& other) noexcept { set(other.get()); }
  template <class U>
  requires std::is_convertible_v<U*, T*> offset_ptr(const offset_ptr<U>& other)
  noexcept {  // NOLINT: Derived → Base, T → const T
    set(other.get());
  }
  // static_cast between pointer types (offset_ptr<void> → offset_ptr<T>, Base → Derived).
  template <class U>
  requires(!std::is_convertible_v<U*, T*> && requires(U * u) {
    static_cast<T*>(u);
  }) explicit offset_ptr(const offset_ptr<U>& other) noexcept {
    set(static_cast<T*>(other.get()));
  }

  offset_ptr& operator=(const offset_ptr& other) noexcept {
    set(other.get());
    return *this;
  }
  offset_ptr& operator=(T* p) noexcept {
    set(p);
    return *this;
  }
  offset_ptr& operator=(std::nullptr_t) noexcept {
    off_ = null_offset;
    return *this;
  }

  // The target's address in this process (nullptr when null).
  T* get() const noexcept {
    if (off_ == null_offset) return nullptr;
    return reinterpret_cast<T*>(reinterpret_cast<std::uintptr_t>(this) +
                                static_cast<std::uintptr_t>(off_));
  }
  operator T*() const noexcept { return get(); }  // NOLINT: see the banner (basic_string)
  T* operator->() const noexcept { return get(); }
  template <class U = T>
  requires(!std::is_void_v<U>) U& operator*() const noexcept { return *get(); }
  template <class U = T>
  requires(!std::is_void_v<U>) U& operator[](std::ptrdiff_t i) const noexcept { return get()[i]; }
  bool operator!() const noexcept { return off_ == null_offset; }

  // std::pointer_traits<offset_ptr<T>>::pointer_to.
  template <class U = T>
  requires(!std::is_void_v<U>) static offset_ptr pointer_to(U& r) noexcept {
    return offset_ptr(std::addressof(r));
  }

  offset_ptr& operator+=(std::ptrdiff_t n) noexcept {
    set(get() + n);
    return *this;
  }
  offset_ptr& operator-=(std::ptrdiff_t n) noexcept {
    set(get() - n);
    return *this;
  }
  offset_ptr& operator++() noexcept { return *this += 1; }
  offset_ptr& operator--() noexcept { return *this -= 1; }
  offset_ptr operator++(int) noexcept {
    offset_ptr old(*this);
    ++*this;
    return old;
  }
  offset_ptr operator--(int) noexcept {
    offset_ptr old(*this);
    --*this;
    return old;
  }

  // Integer operands are templates so that they match better than the built-in operators reached
  // through the conversion to T*.
  template <std::integral I>
  friend offset_ptr operator+(const offset_ptr& p, I n) noexcept {
    return offset_ptr(p.get() + n);
  }
  template <std::integral I>
  friend offset_ptr operator+(I n, const offset_ptr& p) noexcept {
    return offset_ptr(p.get() + n);
  }
  template <std::integral I>
  friend offset_ptr operator-(const offset_ptr& p, I n) noexcept {
    return offset_ptr(p.get() - n);
  }
  friend std::ptrdiff_t operator-(const offset_ptr& a, const offset_ptr& b) noexcept {
    return a.get() - b.get();
  }

  friend bool operator==(const offset_ptr& a, const offset_ptr& b) noexcept {
    return a.get() == b.get();
  }
  friend bool operator==(const offset_ptr& a, std::nullptr_t) noexcept {
    return a.off_ == null_offset;
  }
  friend bool operator==(const offset_ptr& a, T* b) noexcept { return a.get() == b; }
  friend std::strong_ordering operator<=>(const offset_ptr& a, const offset_ptr& b) noexcept {
    return std::compare_three_way{}(a.get(), b.get());
  }
  friend std::strong_ordering operator<=>(const offset_ptr& a, T* b) noexcept {
    return std::compare_three_way{}(a.get(), b);
  }

  friend void swap(offset_ptr& a, offset_ptr& b) noexcept {
    T* pa = a.get();
    a.set(b.get());
    b.set(pa);
  }

 private:
  static constexpr std::ptrdiff_t null_offset = 1;

  void set(T* p) noexcept {
    off_ = p == nullptr ? null_offset
                        : static_cast<std::ptrdiff_t>(reinterpret_cast<std::uintptr_t>(p) -
                                                      reinterpret_cast<std::uintptr_t>(this));
  }

  std::ptrdiff_t off_ = null_offset;
};

}  // namespace mmf

// std::to_address and std::pointer_traits find what they need in the class (element_type, rebind,
// pointer_to, operator->); to_address is spelled out so that offset_ptr<void> works too.
template <class T>
struct std::pointer_traits<mmf::offset_ptr<T>> {
  using pointer = mmf::offset_ptr<T>;
  using element_type = T;
  using difference_type = std::ptrdiff_t;
  template <class U>
  using rebind = mmf::offset_ptr<U>;

  template <class U = T>
  requires(!std::is_void_v<U>) static pointer pointer_to(U& r) noexcept {
    return pointer(std::addressof(r));
  }
  static T* to_address(const pointer& p) noexcept { return p.get(); }
};
