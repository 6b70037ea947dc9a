// mmf tool — `mmf segment`: what a managed_segment holds (named objects with type and size, free
// memory, fragmentation), its heap-consistency check, and creating a persisted segment file.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <cxxabi.h>  // abi::__cxa_demangle: the type names the directory records are mangled

#include <fmt/format.h>
#include <mmf/managed_segment.hpp>

#include "commands.hpp"
#include "parse.hpp"

namespace mmf::tool {
namespace {

std::string demangled(const std::string& mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(
      abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : mangled;
}

managed_segment open(const segment_options& o) {
  if (o.file) return managed_segment::create_from_file(*o.file, file_mode::open, 0);
  return managed_segment::open_existing(*o.name);
}

int run_create(const segment_options& o) {
  if (!o.file) throw usage_error("`segment create` makes a persisted segment: give --file PATH");
  if (!o.size)
    throw usage_error("give the segment's SIZE, e.g. `mmf segment create --file x 1MiB`");
  const std::uint64_t size = parse_size(*o.size, "SIZE");
  auto seg = managed_segment::create_from_file(*o.file, file_mode::create_new, size);
  for (const auto& [name, value] : o.u64_objects)
    seg.construct<std::uint64_t>(name, parse_unsigned(value, UINT64_MAX, "--u64 value"));
  fmt::print("created segment {} ({} bytes, {} objects)\n", *o.file, seg.size(),
             o.u64_objects.size());
  return kExitOk;
}

}  // namespace

int run_segment(const segment_options& o) {
  if (o.create) return run_create(o);
  if (o.name.has_value() == o.file.has_value())
    throw usage_error("give a segment NAME or --file PATH (exactly one)");
  auto seg = open(o);
  const std::string shown(seg.name());
  if (o.check) {
    const auto report = seg.check();
    if (!report.ok) {
      fmt::print(stderr, "segment {}: corrupt: {}\n", shown, report.problem);
      return kExitFailure;
    }
    fmt::print("segment {}: ok ({} blocks: {} used, {} free; {} objects)\n", shown, report.blocks,
               report.used_blocks, report.free_blocks, report.objects);
    return kExitOk;
  }
  const auto s = seg.statistics();
  fmt::print("segment {}: {} bytes, heap {} bytes\n", shown, s.size, s.heap_bytes);
  fmt::print("free: {} bytes in {} blocks, largest {} bytes, fragmentation {:.1f}%\n", s.free_bytes,
             s.free_blocks, s.largest_free_block, 100.0 * s.fragmentation());
  fmt::print("used blocks: {}; recoveries of interrupted operations: {}\n", s.used_blocks,
             s.recoveries);
  const auto objects = seg.objects();
  fmt::print("objects: {}\n", objects.size());
  if (!objects.empty()) {
    fmt::print("{:<32} {:>10}  {}\n", "NAME", "SIZE", "TYPE");
    for (const auto& obj : objects)
      fmt::print("{:<32} {:>10}  {}\n", obj.name, obj.size, demangled(obj.type));
  }
  return kExitOk;
}

}  // namespace mmf::tool
