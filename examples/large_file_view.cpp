// mmf example (c), process 1 — the .NET documentation's persisted-map example: a view of an
// extremely large file, from its 256th megabyte to its 768th, brightened in place; the map is
// named "ImgA" so that another process (large_file_open_existing) opens it by name.
//
// The file is sparse (several GiB, no disk used). To stay fast the example does not touch all of
// the 512 MiB view, only a sample: every color of its first MiB and one color in each following
// MiB (the .NET loop touches every color; the code path is the same). It then waits for process 2
// to brighten view(4000000, 2000000) through "ImgA" and checks the result through its own map.
//
// Usage: large_file_view [file]   (default: ExtremelyLargeImage.<random>.data in the temporary
// directory, removed at the end)
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <mmf/memory_mapped_file.hpp>
#include <mmf/named_event.hpp>
#include <mmf/view_accessor.hpp>

#include "example_support.hpp"
#include "my_color.hpp"

namespace {

constexpr std::uint64_t file_size = std::uint64_t{4} << 30;  // 4 GiB, sparse
constexpr std::uint64_t mib = std::uint64_t{1} << 20;

std::string describe(const example::MyColor& c) {
  return "{" + std::to_string(c.Red) + ", " + std::to_string(c.Green) + ", " +
         std::to_string(c.Blue) + ", " + std::to_string(c.Alpha) + "}";
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  using example::MyColor;
  const bool given = argc > 1;
  const fs::path path = given ? fs::path(argv[1])
                              : fs::temp_directory_path() /
                                    ("ExtremelyLargeImage." + example::unique_tag() + ".data");
  int status = 0;
  try {
    using mmf::event_reset;
    auto ready = mmf::named_event::create_or_open("ImgA.viewReady", event_reset::manual);
    auto done = mmf::named_event::create_or_open("ImgA.otherDone", event_reset::manual);
    {
      std::ofstream create(path, std::ios::binary | std::ios::trunc);
      if (!create) throw std::runtime_error("cannot create " + path.string());
    }
    fs::resize_file(path, file_size);  // sparse: no blocks are allocated

    constexpr std::uint64_t offset = 0x10000000;  // 256 megabytes
    constexpr std::uint64_t length = 0x20000000;  // 512 megabytes

    // Create the memory-mapped file.
    auto mmf = mmf::memory_mapped_file::create_from_file(path, mmf::file_mode::open, "ImgA");
    std::cout << "process 1: " << path.filename().string() << " is " << (file_size >> 30)
              << " GiB (sparse), mapped as \"ImgA\"\n";
    {
      // Create a random access view, from the 256th megabyte (the offset) to the 768th megabyte
      // (the offset plus length).
      auto accessor = mmf.create_view_accessor(offset, length);
      constexpr std::uint64_t colorSize = sizeof(MyColor);
      accessor.write(8, MyColor{32760, 100, -5, 0});  // to show the saturation
      MyColor color{};
      std::uint64_t touched = 0;
      // Make changes to the view: all of the first MiB, then one color per MiB.
      for (std::uint64_t i = 0; i < length; i += (i < mib ? colorSize : mib)) {
        accessor.read(i, color);
        color.Brighten(10);
        accessor.write(i, color);
        ++touched;
      }
      std::cout << "process 1: brightened " << touched << " colors of the 512 MiB view at 256 MiB ("
                << mib / colorSize << " in its first MiB, then one per MiB)\n";
      std::cout << "process 1: color 0 " << describe(accessor.read<MyColor>(0)) << ", color 1 "
                << describe(accessor.read<MyColor>(8)) << " (saturated at 32767), last MiB "
                << describe(accessor.read<MyColor>(length - mib)) << '\n';
    }
    ready.set();
    example::wait_for_partner(done, "start large_file_open_existing");

    // Process 2 brightened view(4000000, 2000000) by 20 for positions below 1500000.
    auto check = mmf.create_view_accessor(4000000, 2000000);
    const auto first = check.read<MyColor>(0);
    const auto last = check.read<MyColor>(1500000 - sizeof(MyColor));
    const auto after = check.read<MyColor>(1500000);
    std::cout << "process 1: sees process 2's changes at 4000000: " << describe(first)
              << ", at 5499992: " << describe(last) << ", untouched at 5500000: " << describe(after)
              << '\n';
    if (first.Red != 20 || last.Alpha != 20 || after.Red != 0) status = 1;
  } catch (const std::exception& e) {
    std::cerr << "large_file_view: " << e.what() << '\n';
    status = 1;
  }
  if (!given) {
    std::error_code ec;
    fs::remove(path, ec);
  }
  return status;
}
