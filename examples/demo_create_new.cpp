// mmf example (e), the creator — from "C# in a Nutshell": a 500-byte shared memory-mapped file
// named "Demo", with the integer 12345 written at position 0.
//
//     using (MemoryMappedFile mmFile = MemoryMappedFile.CreateNew ("Demo", 500))
//     using (MemoryMappedViewAccessor accessor = mmFile.CreateViewAccessor())
//     {
//       accessor.Write (0, 12345);
//       Console.ReadLine();   // Keep shared memory alive until user hits Enter.
//     }
//
// It prints nothing, as the seed. Instead of Console.ReadLine it keeps the map alive until the
// reader (demo_open_existing) says it has read the integer, through the named events
// "Demo.written" (set here) and "Demo.read" (set by the reader); see example_support.hpp.
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

    auto mmFile = mmf::memory_mapped_file::create_new("Demo", 500);
    auto accessor = mmFile.create_view_accessor();
    accessor.write<std::int32_t>(0, 12345);
    written.set();
    // Keep shared memory alive until the reader has read it.
    example::wait_for_partner(read, "start demo_open_existing");
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "demo_create_new: " << e.what() << '\n';
    return 1;
  }
}
