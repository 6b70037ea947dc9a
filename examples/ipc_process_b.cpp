// mmf example (a), process B: opens "testmap" and "testmapmutex" once process A has written its
// value, and writes false (as BinaryWriter.Write(0): four zero bytes) at offset 1. See
// ipc_process_a.cpp.
#include <cstdint>
#include <exception>
#include <iostream>
#include <system_error>

#include <mmf/memory_mapped_file.hpp>
#include <mmf/named_event.hpp>
#include <mmf/named_mutex.hpp>
#include <mmf/view_stream.hpp>

#include "example_support.hpp"

int main() {
  try {
    auto a_written =
        mmf::named_event::create_or_open("testmap.a_written", mmf::event_reset::manual);
    auto b_written =
        mmf::named_event::create_or_open("testmap.b_written", mmf::event_reset::manual);
    example::wait_for_partner(a_written, "run ipc_process_a first");
    {
      auto mmf = mmf::memory_mapped_file::open_existing("testmap");
      auto mutex = mmf::named_mutex::open_existing("testmapmutex");
      mutex.lock();
      {
        auto stream = mmf.create_view_stream(1, 0);
        stream.write_as<std::int32_t>(0);
      }
      mutex.unlock();
    }
    b_written.set();
    return 0;
  } catch (const mmf::error& e) {
    if (e.code() == std::errc::no_such_file_or_directory)
      std::cout << "Memory-mapped file does not exist. Run Process A first.\n";
    else
      std::cerr << "ipc_process_b: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "ipc_process_b: " << e.what() << '\n';
    return 1;
  }
}
