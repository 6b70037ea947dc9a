// mmf example (c), process 2 — "the following example opens the same memory-mapped file for
// another process": opens the persisted map "ImgA" (created by large_file_view) by name and
// brightens the colors in the first 1,500,000 bytes of view(4000000, 2000000).
#include <cstdint>
#include <exception>
#include <iostream>

#include <mmf/memory_mapped_file.hpp>
#include <mmf/named_event.hpp>
#include <mmf/view_accessor.hpp>

#include "example_support.hpp"
#include "my_color.hpp"

int main() {
  using example::MyColor;
  try {
    using mmf::event_reset;
    auto ready = mmf::named_event::create_or_open("ImgA.viewReady", event_reset::manual);
    auto done = mmf::named_event::create_or_open("ImgA.otherDone", event_reset::manual);
    example::wait_for_partner(ready, "start large_file_view");

    // Assumes another process has created the memory-mapped file.
    auto mmf = mmf::memory_mapped_file::open_existing("ImgA");
    {
      auto accessor = mmf.create_view_accessor(4000000, 2000000);
      constexpr std::uint64_t colorSize = sizeof(MyColor);
      MyColor color{};
      std::uint64_t touched = 0;
      // Make changes to the view.
      for (std::uint64_t i = 0; i < 1500000; i += colorSize) {
        accessor.read(i, color);
        color.Brighten(20);
        accessor.write(i, color);
        ++touched;
      }
      std::cout << "process 2: opened \"ImgA\" by name, brightened " << touched
                << " colors of view(4000000, 2000000)\n";
    }
    done.set();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "large_file_open_existing: " << e.what() << '\n';
    return 1;
  }
}
