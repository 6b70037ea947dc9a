// mmf — managed_segment from several threads of one process (labelled `tsan`): allocate /
// deallocate, and find_or_construct / destroy races on shared names, then the checker.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/managed_segment.hpp>

#include "support/test_support.hpp"

namespace {

using mmf::managed_segment;
using mmf_test::unique_name;

TEST(SegmentThreads, ConcurrentAllocateAndDeallocate) {
  auto seg = managed_segment::create_new(unique_name("segt"), 4 << 20);
  const auto start = seg.free_memory();
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      std::vector<std::pair<unsigned char*, std::size_t>> held;
      for (int i = 0; i < 5000; ++i) {
        if (held.size() < 32 && rng() % 2 == 0) {
          const std::size_t n = 1 + rng() % 600;
          auto* p = static_cast<unsigned char*>(seg.allocate(n));
          std::memset(p, t + 1, n);
          held.emplace_back(p, n);
        } else if (!held.empty()) {
          const auto [p, n] = held.back();
          held.pop_back();
          for (std::size_t k = 0; k < n; ++k)
            if (p[k] != t + 1) ++bad;
          seg.deallocate(p);
        }
      }
      for (auto [p, n] : held)
        seg.deallocate(p);
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(seg.free_memory(), start);
  EXPECT_TRUE(seg.check());
}

TEST(SegmentThreads, FindOrConstructYieldsOneObjectPerName) {
  auto seg = managed_segment::create_new(unique_name("segt"), 4 << 20);
  const auto start = seg.free_memory();
  constexpr int names = 16;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::uint64_t*>> got(4, std::vector<std::uint64_t*>(names));
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        for (int k = 0; k < names; ++k)
          got[static_cast<std::size_t>(t)][static_cast<std::size_t>(k)] =
              seg.find_or_construct<std::uint64_t>("n" + std::to_string(k), std::uint64_t(k));
      }
    });
  }
  for (auto& th : threads)
    th.join();
  for (int k = 0; k < names; ++k) {
    for (int t = 1; t < 4; ++t)
      EXPECT_EQ(got[static_cast<std::size_t>(t)][static_cast<std::size_t>(k)],
                got[0][static_cast<std::size_t>(k)]);
    EXPECT_EQ(*got[0][static_cast<std::size_t>(k)], static_cast<std::uint64_t>(k));
  }
  EXPECT_EQ(seg.objects().size(), static_cast<std::size_t>(names));
  threads.clear();
  std::atomic<int> destroyed{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int k = 0; k < names; ++k)
        if (seg.destroy<std::uint64_t>("n" + std::to_string(k))) ++destroyed;
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(destroyed.load(), names);
  EXPECT_EQ(seg.free_memory(), start);
  EXPECT_TRUE(seg.check());
}

}  // namespace
