// mmf — small move-only owners of OS resources, closing in the destructor and in move-assignment
// and never throwing (STYLE.md 5 and 6). Back ends instantiate unique_resource with their own
// traits (a file descriptor, a HANDLE, a mapping).
#pragma once

#include <utility>

namespace mmf::detail {

// Traits: `using type = ...; static type invalid() noexcept; static void close(type) noexcept;`
template <class Traits>
class unique_resource {
 public:
  using type = typename Traits::type;

  unique_resource() noexcept = default;
  explicit unique_resource(type value) noexcept : value_(value) {}
  unique_resource(unique_resource&& other) noexcept : value_(other.release()) {}
  unique_resource& operator=(unique_resource&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  unique_resource(const unique_resource&) = delete;
  unique_resource& operator=(const unique_resource&) = delete;
  ~unique_resource() { reset(); }

  type get() const noexcept { return value_; }
  explicit operator bool() const noexcept { return value_ != Traits::invalid(); }
  type release() noexcept { return std::exchange(value_, Traits::invalid()); }
  void reset(type value = Traits::invalid()) noexcept {
    type old = std::exchange(value_, value);
    if (old != Traits::invalid()) Traits::close(old);
  }

 private:
  type value_ = Traits::invalid();
};

}  // namespace mmf::detail
