// mmf example (a), process A — the .NET documentation's non-persisted map example, in C++.
//
// Process A creates the map "testmap" (10000 bytes) and the mutex "testmapmutex", writes a bool;
// process B (ipc_process_b) and then process C (ipc_process_c) write theirs; A reads all three.
// It prints what the seed prints:
//     Start Process B and press ENTER to continue.
//     Start Process C and press ENTER to continue.
//     Process A says: True
//     Process B says: False
//     Process C says: True
// The .NET version then waits for the user to press ENTER once B (then C) has run; here A does not
// read its input: the three processes hand over with named events (testmap.a_written,
// testmap.b_written, testmap.c_written), which say exactly that, so they can be started in any
// order, from three terminals or all at once by mmf_demo, and A goes on as soon as its partner
// has written (see example::wait_for_partner).
#include <cstdint>
#include <exception>
#include <iostream>

#include <mmf/memory_mapped_file.hpp>
#include <mmf/named_event.hpp>
#include <mmf/named_mutex.hpp>
#include <mmf/view_stream.hpp>

#include "example_support.hpp"

int main() {
  try {
    // Opened first and held to the end, so that B and C find them whatever the start order.
    auto a_written =
        mmf::named_event::create_or_open("testmap.a_written", mmf::event_reset::manual);
    auto b_written =
        mmf::named_event::create_or_open("testmap.b_written", mmf::event_reset::manual);
    auto c_written =
        mmf::named_event::create_or_open("testmap.c_written", mmf::event_reset::manual);

    auto mmf = mmf::memory_mapped_file::create_new("testmap", 10000);
    bool mutex_created = false;
    auto mutex = mmf::named_mutex::create_or_open("testmapmutex", true, &mutex_created);
    {
      auto stream = mmf.create_view_stream();
      stream.write_as<std::int32_t>(1);  // as BinaryWriter.Write(1): 01 00 00 00 at offset 0
    }
    mutex.unlock();
    a_written.set();

    example::prompt("Start Process B and press ENTER to continue.");
    example::wait_for_partner(b_written, "start ipc_process_b");
    example::prompt("Start Process C and press ENTER to continue.");
    example::wait_for_partner(c_written, "start ipc_process_c");

    mutex.lock();
    {
      auto stream = mmf.create_view_stream();
      // BinaryReader.ReadBoolean: one byte, non-zero is true.
      const auto a = stream.read_as<std::uint8_t>() != 0;
      const auto b = stream.read_as<std::uint8_t>() != 0;
      const auto c = stream.read_as<std::uint8_t>() != 0;
      std::cout << "Process A says: " << (a ? "True" : "False") << '\n';
      std::cout << "Process B says: " << (b ? "True" : "False") << '\n';
      std::cout << "Process C says: " << (c ? "True" : "False") << '\n';
    }
    mutex.unlock();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "ipc_process_a: " << e.what() << '\n';
    return 1;
  }
}
