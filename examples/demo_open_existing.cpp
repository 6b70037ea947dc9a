// mmf example (e), the reader — "this can run in a separate executable": opens the shared
// memory-mapped file "Demo" (created by demo_create_new) and prints the integer at position 0.
//
//     using (MemoryMappedFile mmFile = MemoryMappedFile.OpenExisting ("Demo"))
//     using (MemoryMappedViewAccessor accessor = mmFile.CreateViewAccessor())
//       Console.WriteLine (accessor.ReadInt32 (0));   // 12345
//
// It waits for the creator's named event "Demo.written" first (so the two may start in any
// order), and sets "Demo.read" once it has read, which lets the creator end.
#include <cstdint>
#include <exception>
#include <iostream>

#include <mmf/memory_mapped_file.hpp>
#include <mmf/named_event.hpp>
#include <mmf/view_accessor.hpp>

#include "example_support.hpp"

int main() {
  try {
    using mmf::event_reset;
    auto written = mmf::named_event::create_or_open("Demo.written", event_reset::manual);
    auto read = mmf::named_event::create_or_open("Demo.read", event_reset::manual);
    example::wait_for_partner(written, "start demo_create_new");
    {
      auto mmFile = mmf::memory_mapped_file::open_existing("Demo");
      auto accessor = mmFile.create_view_accessor();
      std::cout << accessor.read<std::int32_t>(0) << '\n';  // 12345
    }
    read.set();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "demo_open_existing: " << e.what() << '\n';
    return 1;
  }
}
