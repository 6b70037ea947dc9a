// mmf — micro benchmarks of view_accessor's inline fast paths (read<T>/write<T>, read_array).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <mmf/mmf.hpp>

namespace {

// A map of `bytes` of shared memory, its accessor, and random 8-byte-aligned positions in it.
struct accessor_setup {
  mmf::memory_mapped_file map;
  mmf::view_accessor view;
  std::vector<std::uint64_t> positions;
  explicit accessor_setup(std::uint64_t bytes)
      : map(mmf::memory_mapped_file::create_new({}, bytes)), view(map.create_view_accessor()) {
    std::memset(view.bytes().data(), 1, view.bytes().size());
    std::mt19937_64 rng(1);
    positions.resize(4096);
    for (auto& p : positions)
      p = (rng() % (bytes / 8)) * 8;
  }
};

void BM_AccessorRead(benchmark::State& state) {
  accessor_setup s(static_cast<std::uint64_t>(state.range(0)));
  std::size_t i = 0;
  std::uint64_t sum = 0;
  for (auto _ : state) {
    sum += s.view.read<std::uint64_t>(s.positions[i++ & 4095]);
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_AccessorRead)->Arg(64 << 10)->Arg(64 << 20);

void BM_RawPointerRead(benchmark::State& state) {
  accessor_setup s(static_cast<std::uint64_t>(state.range(0)));
  const std::byte* base = s.view.bytes().data();
  std::size_t i = 0;
  std::uint64_t sum = 0;
  for (auto _ : state) {
    std::uint64_t v;
    std::memcpy(&v, base + s.positions[i++ & 4095], sizeof v);
    sum += v;
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_RawPointerRead)->Arg(64 << 10)->Arg(64 << 20);

void BM_AccessorWrite(benchmark::State& state) {
  accessor_setup s(static_cast<std::uint64_t>(state.range(0)));
  std::size_t i = 0;
  for (auto _ : state) {
    s.view.write<std::uint64_t>(s.positions[i & 4095], i);
    ++i;
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_AccessorWrite)->Arg(64 << 10)->Arg(64 << 20);

void BM_AccessorReadArray(benchmark::State& state) {
  const auto block = static_cast<std::size_t>(state.range(0));
  accessor_setup s(64 << 20);
  std::vector<std::byte> out(block);
  std::uint64_t pos = 0;
  for (auto _ : state) {
    s.view.read_array(pos, std::span<std::byte>(out));
    pos = (pos + block) % ((64 << 20) - block);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(block));
}
BENCHMARK(BM_AccessorReadArray)->Arg(64)->Arg(4096)->Arg(1 << 20);

}  // namespace
