// mmf — micro benchmarks of view_stream: the inline read_as<T>/write_as<T> and bulk reads.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include <mmf/mmf.hpp>

namespace {

constexpr std::uint64_t stream_bytes = 16 << 20;

void BM_StreamReadAs(benchmark::State& state) {
  auto map = mmf::memory_mapped_file::create_new({}, stream_bytes);
  auto stream = map.create_view_stream();
  const auto count = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t sum = 0;
  for (auto _ : state) {
    stream.seek(0);
    for (std::uint64_t i = 0; i < count; ++i) {
      sum += stream.read_as<std::uint64_t>();
      benchmark::DoNotOptimize(sum);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * count));
}
BENCHMARK(BM_StreamReadAs)->Arg(1024)->Arg(1 << 20);

void BM_StreamWriteAs(benchmark::State& state) {
  auto map = mmf::memory_mapped_file::create_new({}, stream_bytes);
  auto stream = map.create_view_stream();
  const auto count = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {
    stream.seek(0);
    for (std::uint64_t i = 0; i < count; ++i)
      stream.write_as<std::uint64_t>(i);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * count));
}
BENCHMARK(BM_StreamWriteAs)->Arg(1024)->Arg(1 << 20);

void BM_StreamBulkRead(benchmark::State& state) {
  const auto block = static_cast<std::size_t>(state.range(0));
  auto map = mmf::memory_mapped_file::create_new({}, stream_bytes);
  auto stream = map.create_view_stream();
  std::memset(stream.bytes().data(), 1, stream.bytes().size());
  std::vector<char> buf(block);
  for (auto _ : state) {
    if (!stream.read(buf.data(), static_cast<std::streamsize>(block))) {
      stream.clear();
      stream.seek(0);
    }
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(block));
}
BENCHMARK(BM_StreamBulkRead)->Arg(4096)->Arg(1 << 20);

}  // namespace
