// mmf example (f) — from "C# in a Nutshell": "specifying a capacity automatically enlarges the
// file to that value. The following creates a 1,000-byte file":
//
//     File.WriteAllBytes ("short.bin", new byte [1]);
//     using (var mmf = MemoryMappedFile.CreateFromFile
//       ("short.bin", FileMode.Create, null, 1000))
//
// The seed prints nothing; this program prints the size of the file once the map is closed: 1000.
//
// Usage: short_file_capacity [file]   (default: short.<random>.bin in the temporary directory,
// removed at the end)
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <mmf/memory_mapped_file.hpp>

#include "example_support.hpp"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const bool given = argc > 1;
  const fs::path path =
      given ? fs::path(argv[1])
            : fs::temp_directory_path() / ("short." + example::unique_tag() + ".bin");
  int status = 0;
  try {
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);  // File.WriteAllBytes
      out.put('\0');
      if (!out) throw std::runtime_error("cannot write " + path.string());
    }
    {
      auto mmf = mmf::memory_mapped_file::create_from_file(path, mmf::file_mode::create, {}, 1000);
    }
    std::cout << fs::file_size(path) << '\n';  // 1000
  } catch (const std::exception& e) {
    std::cerr << "short_file_capacity: " << e.what() << '\n';
    status = 1;
  }
  if (!given) {
    std::error_code ec;
    fs::remove(path, ec);
  }
  return status;
}
