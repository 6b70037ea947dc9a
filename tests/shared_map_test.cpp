// mmf — tests of <mmf/shared_unordered_map.hpp> and <mmf/shared_map.hpp> in one process: insert,
// find (also heterogeneous), erase, iteration order, growth, at(), and that every byte returns
// to the segment. The cross-process case is in segment_multiprocess_test.cpp.
#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include <gtest/gtest.h>
#include <mmf/managed_segment.hpp>
#include <mmf/shared_map.hpp>
#include <mmf/shared_unordered_map.hpp>

#include "helper/segment_shapes.hpp"
#include "support/test_support.hpp"

namespace {

using mmf::managed_segment;
using mmf_test::unique_name;
using namespace mmf_segment_shapes;

TEST(SharedUnorderedMap, BehavesLikeStdUnorderedMap) {
  auto seg = managed_segment::create_new(unique_name("segm"), 4 << 20);
  const auto start = seg.free_memory();
  {
    auto* m = seg.construct<mmf::shared_unordered_map<std::uint64_t, std::uint64_t>>(
        "m", seg.get_allocator<char>());
    std::unordered_map<std::uint64_t, std::uint64_t> model;
    std::mt19937_64 rng(7);
    for (int i = 0; i < 20000; ++i) {
      const std::uint64_t k = rng() % 3000;
      if (rng() % 3 == 0) {
        EXPECT_EQ(m->erase(k), model.erase(k));
      } else {
        const bool fresh = model.emplace(k, i).second;
        EXPECT_EQ(m->insert(k, static_cast<std::uint64_t>(i)).second, fresh);
      }
    }
    EXPECT_EQ(m->size(), model.size());
    EXPECT_GE(m->bucket_count(), m->size());
    std::size_t seen = 0;
    for (const auto& [k, v] : *m) {
      ASSERT_EQ(model.at(k), v);
      ++seen;
    }
    EXPECT_EQ(seen, model.size());
    for (const auto& [k, v] : model)
      EXPECT_EQ(m->at(k), v);
    EXPECT_THROW(m->at(999999), std::out_of_range);
    EXPECT_FALSE(m->contains(999999));
    EXPECT_TRUE(seg.check());
    EXPECT_TRUE((seg.destroy<mmf::shared_unordered_map<std::uint64_t, std::uint64_t>>("m")));
  }
  {
    auto chars = seg.get_allocator<char>();
    auto* idx = seg.construct<string_index>("idx", chars);
    for (std::size_t i = 0; i < 500; ++i)
      idx->insert(shm_string(word(i), chars), i);
    EXPECT_FALSE(idx->insert(shm_string(word(3), chars), 42).second);
    EXPECT_EQ(idx->find(std::string_view(word(3)))->second, 3u);
    EXPECT_EQ(idx->erase(std::string_view(word(3))), 1u);
    EXPECT_EQ(idx->find(std::string_view(word(3))), idx->end());
    EXPECT_EQ(idx->size(), 499u);
    idx->clear();
    EXPECT_TRUE(idx->empty());
    EXPECT_EQ(idx->begin(), idx->end());
    EXPECT_TRUE(seg.destroy<string_index>("idx"));
  }
  EXPECT_EQ(seg.free_memory(), start);
}

TEST(SharedMap, BehavesLikeStdMap) {
  auto seg = managed_segment::create_new(unique_name("segm"), 4 << 20);
  const auto start = seg.free_memory();
  {
    using map = mmf::shared_map<std::int64_t, std::int64_t>;
    auto* m = seg.construct<map>("m", seg.get_allocator<char>());
    std::map<std::int64_t, std::int64_t> model;
    std::mt19937_64 rng(11);
    for (int i = 0; i < 20000; ++i) {
      const auto k = static_cast<std::int64_t>(rng() % 3000) - 1500;
      if (rng() % 3 == 0) {
        EXPECT_EQ(m->erase(k), model.erase(k));
      } else {
        const bool fresh = model.emplace(k, i).second;
        EXPECT_EQ(m->insert(k, i).second, fresh);
      }
    }
    ASSERT_EQ(m->size(), model.size());
    auto mi = model.begin();
    for (const auto& [k, v] : *m) {
      ASSERT_EQ(k, mi->first);
      ASSERT_EQ(v, mi->second);
      ++mi;
    }
    EXPECT_EQ(mi, model.end());
    for (std::int64_t probe = -1600; probe < 1600; probe += 37) {
      auto lb = m->lower_bound(probe);
      auto mlb = model.lower_bound(probe);
      if (mlb == model.end())
        EXPECT_EQ(lb, m->end());
      else
        EXPECT_EQ(lb->first, mlb->first);
      auto ub = m->upper_bound(probe);
      auto mub = model.upper_bound(probe);
      if (mub == model.end())
        EXPECT_EQ(ub, m->end());
      else
        EXPECT_EQ(ub->first, mub->first);
    }
    EXPECT_THROW(m->at(5000), std::out_of_range);
    EXPECT_TRUE(seg.check());
    EXPECT_TRUE(seg.destroy<map>("m"));
  }
  {
    auto chars = seg.get_allocator<char>();
    using names = mmf::shared_map<shm_string, std::uint64_t>;
    auto* n = seg.construct<names>("n", chars);
    n->insert(shm_string("pear", chars), 1);
    n->insert(shm_string("apple", chars), 2);
    n->insert(shm_string("fig", chars), 3);
    std::string order;
    for (const auto& kv : *n)
      order += std::string(kv.first) + ",";
    EXPECT_EQ(order, "apple,fig,pear,");
    EXPECT_EQ(n->at(std::string_view("fig")), 3u);
    EXPECT_EQ(n->erase(std::string_view("apple")), 1u);
    EXPECT_EQ(n->begin()->first, std::string_view("fig"));
    EXPECT_TRUE(seg.destroy<names>("n"));
  }
  EXPECT_EQ(seg.free_memory(), start);
}

}  // namespace
