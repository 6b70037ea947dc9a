// mmf — micro benchmarks of the named sync objects' uncontended paths.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <string>
#include <thread>

#include <mmf/mmf.hpp>

namespace {

std::string bench_name(const char* what) {
  static unsigned counter = 0;
  return "mmfmicro." + std::to_string(::getpid()) + "." + what + "." + std::to_string(counter++);
}

// glibc skips atomics while a program has a single thread, which makes every lock look faster
// than it is in a real program: keep an idle second thread alive for the whole run.
struct second_thread {
  std::thread t;
  second_thread() {
    t = std::thread([] {});
    t.join();  // once a thread has existed, glibc keeps using atomics
  }
};
const second_thread started_once;

// Arg: recursion depth (1 = a plain lock+unlock).
void BM_NamedMutexLockUnlock(benchmark::State& state) {
  auto m = mmf::named_mutex::create_or_open(bench_name("mutex"));
  const auto depth = state.range(0);
  for (auto _ : state) {
    for (int64_t i = 0; i < depth; ++i)
      m.lock();
    for (int64_t i = 0; i < depth; ++i)
      m.unlock();
  }
}
BENCHMARK(BM_NamedMutexLockUnlock)->Arg(1)->Arg(2);

// set() then wait() on the same thread: the event is signalled, so nothing blocks.
// Arg: 0 manual reset (with reset()), 1 automatic.
void BM_NamedEventSetWait(benchmark::State& state) {
  const auto mode = state.range(0) != 0 ? mmf::event_reset::automatic : mmf::event_reset::manual;
  auto e = mmf::named_event::create_or_open(bench_name("event"), mode);
  for (auto _ : state) {
    e.set();
    e.wait();
    if (mode == mmf::event_reset::manual) e.reset();
  }
}
BENCHMARK(BM_NamedEventSetWait)->Arg(0)->Arg(1);

// Arg: the count released and acquired per iteration.
void BM_NamedSemaphoreReleaseAcquire(benchmark::State& state) {
  auto s = mmf::named_semaphore::create_or_open(bench_name("sem"), 0, 1u << 20);
  const auto n = static_cast<std::uint32_t>(state.range(0));
  for (auto _ : state) {
    s.release(n);
    for (std::uint32_t i = 0; i < n; ++i)
      s.acquire();
  }
}
BENCHMARK(BM_NamedSemaphoreReleaseAcquire)->Arg(1)->Arg(8);

}  // namespace
