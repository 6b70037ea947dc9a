// mmf — micro benchmarks of the map lifecycle: create_new, open_existing, views.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdint>
#include <string>

#include <mmf/mmf.hpp>

namespace {

std::string bench_name(const char* what) {
  static unsigned counter = 0;
  return "mmfmicro." + std::to_string(::getpid()) + "." + what + "." + std::to_string(counter++);
}

// create_new + one view + close; Arg: the capacity; second Arg: 1 = delay_allocate_pages.
void BM_CreateNew(benchmark::State& state) {
  const auto size = static_cast<std::uint64_t>(state.range(0));
  const auto options =
      state.range(1) != 0 ? mmf::map_options::delay_allocate_pages : mmf::map_options::none;
  for (auto _ : state) {
    auto map = mmf::memory_mapped_file::create_new(bench_name("create"), size,
                                                   mmf::access::read_write, options);
    auto view = map.create_view_accessor();
    benchmark::DoNotOptimize(view.bytes().data());
  }
}
BENCHMARK(BM_CreateNew)
    ->Args({64 << 10, 1})
    ->Args({64 << 10, 0})
    ->Args({1 << 30, 1})
    ->Args({int64_t{64} << 30, 1});

void BM_OpenExisting(benchmark::State& state) {
  const std::string name = bench_name("open");
  auto owner =
      mmf::memory_mapped_file::create_new(name, static_cast<std::uint64_t>(state.range(0)));
  for (auto _ : state) {
    auto map = mmf::memory_mapped_file::open_existing(name);
    auto view = map.create_view_accessor();
    benchmark::DoNotOptimize(view.bytes().data());
  }
}
BENCHMARK(BM_OpenExisting)->Arg(64 << 10);

void BM_CreateView(benchmark::State& state) {
  auto map = mmf::memory_mapped_file::create_new({}, static_cast<std::uint64_t>(state.range(0)));
  for (auto _ : state) {
    auto view = map.create_view_accessor();
    benchmark::DoNotOptimize(view.bytes().data());
  }
}
BENCHMARK(BM_CreateView)->Arg(64 << 10)->Arg(1 << 30);

// First touch of every page of a new map; Arg: capacity; second Arg: map_options bits.
void BM_FirstTouch(benchmark::State& state) {
  const auto size = static_cast<std::uint64_t>(state.range(0));
  const auto options = static_cast<mmf::map_options>(state.range(1));
  const std::size_t page = mmf::page_size();
  for (auto _ : state) {
    auto map = mmf::memory_mapped_file::create_new({}, size, mmf::access::read_write, options);
    auto view = map.create_view_accessor();
    auto* p = reinterpret_cast<volatile char*>(view.bytes().data());
    for (std::uint64_t off = 0; off < size; off += page)
      p[off] = 1;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(size));
}
BENCHMARK(BM_FirstTouch)
    ->Args({64 << 20, static_cast<int64_t>(mmf::map_options::none)})
    ->Args({64 << 20, static_cast<int64_t>(mmf::map_options::delay_allocate_pages)})
    ->Args({64 << 20, static_cast<int64_t>(mmf::map_options::populate)})
    ->Args({64 << 20, static_cast<int64_t>(mmf::map_options::huge_pages)})
    ->Unit(benchmark::kMillisecond);

}  // namespace
