// mmf example (d) — from "C# in a Nutshell": a 1,000,000-byte file, byte 77 written at position
// 500000 through a view accessor and read back.
//
//     File.WriteAllBytes ("long.bin", new byte [1000000]);
//     using MemoryMappedFile mmf = MemoryMappedFile.CreateFromFile ("long.bin");
//     using MemoryMappedViewAccessor accessor = mmf.CreateViewAccessor();
//     accessor.Write (500000, (byte) 77);
//     Console.WriteLine (accessor.ReadByte (500000));   // 77
//
// Usage: persisted_byte [file]   (default: long.<random>.bin in the temporary directory, removed
// at the end)
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <mmf/memory_mapped_file.hpp>
#include <mmf/view_accessor.hpp>

#include "example_support.hpp"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const bool given = argc > 1;
  const fs::path path =
      given ? fs::path(argv[1])
            : fs::temp_directory_path() / ("long." + example::unique_tag() + ".bin");
  int status = 0;
  try {
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);  // File.WriteAllBytes
      const std::vector<char> zeros(1000000);
      out.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
      if (!out) throw std::runtime_error("cannot write " + path.string());
    }
    auto mmf = mmf::memory_mapped_file::create_from_file(path);
    auto accessor = mmf.create_view_accessor();
    accessor.write<std::uint8_t>(500000, 77);
    std::cout << static_cast<int>(accessor.read<std::uint8_t>(500000)) << '\n';  // 77
  } catch (const std::exception& e) {
    std::cerr << "persisted_byte: " << e.what() << '\n';
    status = 1;
  }
  if (!given) {
    std::error_code ec;
    fs::remove(path, ec);
  }
  return status;
}
