// The program both packaging tests build as an outside project: it consumes mmf::mmf, creates a
// small anonymous map, writes a value through a view accessor and reads it back, and checks that
// the library it loaded is the version its headers name.
#include <mmf/mmf.hpp>

#include <cstdint>
#include <cstdio>
#include <exception>

int main() {
  try {
    auto map = mmf::memory_mapped_file::create_new("", 4096);
    auto view = map.create_view_accessor();
    const std::uint64_t expected = 0x6d6d662d70616b67u;
    view.write(1001, expected);  // an unaligned position
    const auto got = view.read<std::uint64_t>(1001);
    if (got != expected) {
      std::fprintf(stderr, "mmf package test: read back %llx, expected %llx\n",
                   static_cast<unsigned long long>(got), static_cast<unsigned long long>(expected));
      return 1;
    }
    if (mmf::version() != mmf::header_version) {
      std::fprintf(stderr, "mmf package test: loaded mmf %s, built against %d.%d.%d\n",
                   mmf::version_string(), MMF_VERSION_MAJOR, MMF_VERSION_MINOR, MMF_VERSION_PATCH);
      return 1;
    }
    std::printf("mmf package test: ok (mmf %s)\n", mmf::version_string());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mmf package test: %s\n", e.what());
    return 1;
  }
}
