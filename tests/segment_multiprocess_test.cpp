// mmf — managed_segment across real processes: containers built in one process, read and extended
// in another that maps the segment at a different address; 4 processes doing random heap and
// directory operations at once on one segment, then the checker (no corruption, no leak).
//
// MMF_SEGMENT_STRESS_OPS sets the operations per process (CI default below; the full
// figure is 100000).
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/managed_segment.hpp>

#include "helper/segment_shapes.hpp"
#include "support/test_support.hpp"

namespace {

using mmf_test::env_count;

using mmf::managed_segment;
using mmf_test::unique_name;
using namespace mmf_segment_shapes;

TEST(SegmentMultiprocess, ContainersAreSharedAcrossAddresses) {
  const std::string name = unique_name("segc");
  auto seg = managed_segment::create_new(name, 4 << 20);
  const auto start = seg.free_memory();
  auto chars = seg.get_allocator<char>();
  auto* numbers = seg.construct<int_vector>("numbers", seg.get_allocator<int>());
  for (int i = 0; i < 1000; ++i)
    numbers->push_back(i);
  auto* greeting = seg.construct<shm_string>("greeting", parent_greeting, chars);
  auto* words = seg.construct<string_vector>("words", chars);
  auto* index = seg.construct<string_index>("index", chars);
  auto* ordered = seg.construct<string_order>("ordered", chars);
  for (std::size_t i = 0; i < 100; ++i) {
    words->emplace_back(word(i));
    index->insert(shm_string(word(i), chars), i);
    ordered->insert(static_cast<std::int64_t>(i), shm_string(word(i), chars));
  }

  // 64 MiB of address space taken first in the child: its view of the segment lands elsewhere.
  auto child = mmf_test::spawn_helper({"segment_containers", name, std::to_string(64u << 20)});
  const auto at = child.read_line();
  ASSERT_TRUE(at.has_value());
  ASSERT_EQ(at->rfind("at ", 0), 0u) << *at;
  const auto child_address = std::strtoull(at->c_str() + 3, nullptr, 16);
  EXPECT_NE(child_address, reinterpret_cast<std::uintptr_t>(numbers));
  EXPECT_EQ(child.read_line(), std::optional<std::string>("done"));
  EXPECT_EQ(child.wait(), 0);

  ASSERT_EQ(numbers->size(), 2000u);
  for (int i = 0; i < 2000; ++i)
    ASSERT_EQ((*numbers)[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(std::string_view(*greeting), std::string(parent_greeting) + std::string(child_suffix));
  ASSERT_EQ(words->size(), 200u);
  ASSERT_EQ(index->size(), 200u);
  ASSERT_EQ(ordered->size(), 200u);
  for (std::size_t i = 0; i < 200; ++i) {
    EXPECT_EQ(std::string_view((*words)[i]), word(i));
    auto it = index->find(std::string_view(word(i)));
    ASSERT_NE(it, index->end());
    EXPECT_EQ(it->second, i);
    EXPECT_EQ(std::string_view(ordered->at(static_cast<std::int64_t>(i))), word(i));
  }
  EXPECT_TRUE(seg.check()) << seg.check().problem;
  EXPECT_TRUE(seg.destroy<int_vector>("numbers"));
  EXPECT_TRUE(seg.destroy<shm_string>("greeting"));
  EXPECT_TRUE(seg.destroy<string_vector>("words"));
  EXPECT_TRUE(seg.destroy<string_index>("index"));
  EXPECT_TRUE(seg.destroy<string_order>("ordered"));
  EXPECT_EQ(seg.free_memory(), start);
}

TEST(SegmentMultiprocess, FourProcessesOfRandomOperationsLeaveAConsistentHeap) {
  const std::uint64_t ops = env_count("MMF_SEGMENT_STRESS_OPS", 20000);
  constexpr int procs = 4;
  const std::string name = unique_name("segs");
  auto seg = managed_segment::create_new(name, 4 << 20);
  seg.construct<std::atomic<std::uint32_t>>("stop", 0u);
  for (int i = 0; i < procs; ++i)
    seg.construct<slot_table>("table_" + std::to_string(i));
  const auto start = seg.free_memory();
  std::vector<mmf_test::child_process> children;
  for (int i = 0; i < procs; ++i)
    children.push_back(mmf_test::spawn_helper({"segment_worker", name, std::to_string(i),
                                               std::to_string(ops), std::to_string(1000 + i)}));
  for (auto& c : children)
    EXPECT_EQ(c.read_line(), std::optional<std::string>("ready"));
  for (auto& c : children) {
    EXPECT_EQ(c.read_line(std::chrono::seconds(100)),
              std::optional<std::string>("done " + std::to_string(ops)));
    EXPECT_EQ(c.wait(), 0);
  }
  const auto report = seg.check();
  EXPECT_TRUE(report) << report.problem;
  EXPECT_EQ(report.objects, 1u + procs);
  EXPECT_EQ(seg.free_memory(), start);
  std::printf(
      "FIGURE segment_stress processes=%d ops_per_process=%llu corrupt=%d leaked_bytes=%lld\n",
      procs, static_cast<unsigned long long>(ops), report.ok ? 0 : 1,
      static_cast<long long>(start) - static_cast<long long>(seg.free_memory()));
}

}  // namespace
