// mmf example (b), the reader: opens "SampleMap" read-only once the writer (sample_map_writer)
// has created it, reads the 100 int32 values through an accessor and then the 100 lines through a
// view stream, each time after the writer's named event says the data is there.
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

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

    example::wait_for_partner(map_created, "start sample_map_writer");
    auto mapped_file = mmf::memory_mapped_file::open_existing("SampleMap", mmf::access::read);

    example::wait_for_partner(ints_written, "sample_map_writer did not finish its values");
    {
      auto accessor = mapped_file.create_view_accessor(0, 10000, mmf::access::read);
      int correct = 0;
      std::int64_t sum = 0;
      for (std::int32_t i = 0, pos = 0; i < 100; i++, pos += 4) {
        const auto v = accessor.read<std::int32_t>(static_cast<std::uint64_t>(pos));
        sum += v;
        if (v == i) ++correct;
      }
      std::cout << "reader: read 100 int32 values: " << accessor.read<std::int32_t>(0) << ", "
                << accessor.read<std::int32_t>(4) << ", " << accessor.read<std::int32_t>(8)
                << ", ..., " << accessor.read<std::int32_t>(396) << " (sum " << sum << ", "
                << correct << " of 100 as written)\n";
      if (correct != 100) return 1;
    }
    ints_read.set();

    example::wait_for_partner(lines_written, "sample_map_writer did not finish its lines");
    auto stream = mapped_file.create_view_stream(0, 10000, mmf::access::read);
    std::vector<std::string> lines;
    for (int i = 0; i < 100; i++) {
      const auto pos = stream.position();
      std::string s;
      if (!std::getline(stream, s)) break;
      if (i < 3 || i == 99) std::cout << "reader: at " << pos << ": " << s << '\n';
      if (i == 3) std::cout << "reader: ...\n";
      lines.push_back(s);
    }
    int correct = 0;
    for (std::size_t i = 0; i < lines.size(); ++i)
      if (lines[i] == "some data " + std::to_string(i)) ++correct;
    std::cout << "reader: read " << lines.size() << " lines through a view stream, " << correct
              << " as written\n";
    return correct == 100 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "sample_map_reader: " << e.what() << '\n';
    return 1;
  }
}
