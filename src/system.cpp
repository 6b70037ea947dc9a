#include <mmf/system.hpp>

#include "platform.hpp"

namespace mmf {

std::size_t page_size() noexcept {
  return detail::platform::page_size();
}
std::size_t allocation_granularity() noexcept {
  return detail::platform::allocation_granularity();
}

}  // namespace mmf
