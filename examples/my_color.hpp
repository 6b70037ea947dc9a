// mmf examples — the .NET documentation's MyColor: four 16-bit channels, brightened with
// saturation at short.MaxValue.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

namespace example {

struct MyColor {
  std::int16_t Red;
  std::int16_t Green;
  std::int16_t Blue;
  std::int16_t Alpha;

  // Make the view brighter.
  void Brighten(std::int16_t value) {
    constexpr int max = std::numeric_limits<std::int16_t>::max();
    Red = static_cast<std::int16_t>(std::min(max, Red + value));
    Green = static_cast<std::int16_t>(std::min(max, Green + value));
    Blue = static_cast<std::int16_t>(std::min(max, Blue + value));
    Alpha = static_cast<std::int16_t>(std::min(max, Alpha + value));
  }
};
static_assert(sizeof(MyColor) == 8);

}  // namespace example
