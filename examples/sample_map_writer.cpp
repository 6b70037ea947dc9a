// mmf example (b), the writer — the seed's "SampleMap" program, in C++ across two processes.
//
// Creates (or opens) the map "SampleMap" of 10000 bytes, writes 100 int32 values through a
// write-only view accessor, then the lines "some data 0" ... "some data 99" through a write-only
// view stream. The reader (sample_map_reader) learns when each step is done from named events,
// where the C# version used in-process ManualResetEventSlims:
//   SampleMap.mapCreated   the map exists
//   SampleMap.intsWritten  the 100 int32 values are in place
//   SampleMap.intsRead     (from the reader) it has read them and holds the map open
//   SampleMap.linesWritten the 100 lines are in place
#include <chrono>
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <thread>

#include <mmf/memory_mapped_file.hpp>
#include <mmf/named_event.hpp>
#include <mmf/view_accessor.hpp>
#include <mmf/view_stream.hpp>

#include "example_support.hpp"

int main() {
  try {
    using mmf::event_reset;
    auto map_created =
        mmf::named_event::create_or_open("SampleMap.mapCreated", event_reset::manual);
    auto ints_written =
        mmf::named_event::create_or_open("SampleMap.intsWritten", event_reset::manual);
    auto ints_read = mmf::named_event::create_or_open("SampleMap.intsRead", event_reset::manual);
    auto lines_written =
        mmf::named_event::create_or_open("SampleMap.linesWritten", event_reset::manual);

    auto mapped_file =
        mmf::memory_mapped_file::create_or_open("SampleMap", 10000, mmf::access::read_write);
    map_created.set();
    {
      auto accessor = mapped_file.create_view_accessor(0, 10000, mmf::access::write);
      for (std::int32_t i = 0, pos = 0; i < 100; i++, pos += 4) {
        accessor.write(static_cast<std::uint64_t>(pos), i);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // the seed's Task.Delay(10)
      }
      ints_written.set();
    }
    std::cout << "writer: wrote 100 int32 values (0..99) through a write-only accessor\n";

    example::wait_for_partner(ints_read, "start sample_map_reader");
    {
      auto stream = mapped_file.create_view_stream(0, 10000, mmf::access::write);
      for (int i = 0; i < 100; i++)
        stream << "some data " << i << '\n';
      stream.flush();
      if (!stream) throw std::runtime_error("the view stream failed");
      lines_written.set();
    }
    std::cout
        << "writer: wrote 100 lines (\"some data 0\"..\"some data 99\") through a view stream\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "sample_map_writer: " << e.what() << '\n';
    return 1;
  }
}
