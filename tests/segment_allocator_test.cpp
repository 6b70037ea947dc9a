// mmf — tests of <mmf/segment_allocator.hpp>: the Allocator requirements (rebinding, equality,
// propagation), and a small container suite (vector, basic_string, deque, list of offset_ptr)
// whose memory comes from a managed_segment and all returns to it.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/managed_segment.hpp>
#include <mmf/segment_allocator.hpp>

#include "support/error_assertions.hpp"
#include "support/test_support.hpp"

namespace {

using mmf::managed_segment;
using mmf::segment_allocator;
using mmf_test::unique_name;

using shm_string = std::basic_string<char, std::char_traits<char>, segment_allocator<char>>;
template <class T>
using shm_vector = std::vector<T, segment_allocator<T>>;

using traits = std::allocator_traits<segment_allocator<int>>;
static_assert(std::is_same_v<traits::pointer, mmf::offset_ptr<int>>);
static_assert(std::is_same_v<traits::const_pointer, mmf::offset_ptr<const int>>);
static_assert(std::is_same_v<traits::void_pointer, mmf::offset_ptr<void>>);
static_assert(std::is_same_v<traits::rebind_alloc<double>, segment_allocator<double>>);
static_assert(traits::propagate_on_container_copy_assignment::value);
static_assert(traits::propagate_on_container_move_assignment::value);
static_assert(traits::propagate_on_container_swap::value);
static_assert(!traits::is_always_equal::value);

TEST(SegmentAllocator, Requirements) {
  auto a = managed_segment::create_new(unique_name("seg"), 1 << 20);
  auto b = managed_segment::create_new(unique_name("seg"), 1 << 20);
  const auto start = a.free_memory();
  segment_allocator<int> ia = a.get_allocator<int>();
  segment_allocator<double> da(ia);
  segment_allocator<int> back(da);
  EXPECT_TRUE(ia == da);
  EXPECT_TRUE(ia == back);
  EXPECT_FALSE(ia == b.get_allocator<int>());
  EXPECT_TRUE(ia != b.get_allocator<char>());
  EXPECT_EQ(ia.segment(), a.get_allocator<char>().segment());
  auto p = ia.allocate(10);
  EXPECT_TRUE(a.contains(p.get()));
  EXPECT_FALSE(b.contains(p.get()));
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p.get()) % alignof(int), 0u);
  auto q = da.allocate(3);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(q.get()) % alignof(double), 0u);
  back.deallocate(p, 10);
  da.deallocate(q, 3);
  EXPECT_EQ(a.free_memory(), start);
  EXPECT_THROW((void)ia.allocate(static_cast<std::size_t>(-1) / 2), std::bad_array_new_length);
  EXPECT_MMF_ERROR(ia.allocate((2u << 20) / sizeof(int)), std::errc::not_enough_memory);
  segment_allocator<int> copy;
  copy = ia;
  EXPECT_TRUE(copy == ia);
}

TEST(SegmentAllocator, ContainersLiveInTheSegmentAndGiveEverythingBack) {
  auto seg = managed_segment::create_new(unique_name("seg"), 2 << 20);
  const auto start = seg.free_memory();
  {
    auto* v = seg.construct<shm_vector<int>>("v", seg.get_allocator<int>());
    for (int i = 0; i < 10000; ++i)
      v->push_back(i);
    EXPECT_EQ(std::accumulate(v->begin(), v->end(), 0LL), 9999LL * 10000 / 2);
    EXPECT_TRUE(seg.contains(v->data()));
    v->erase(v->begin(), v->begin() + 5000);
    v->shrink_to_fit();
    EXPECT_EQ(v->front(), 5000);
    shm_vector<int> other(seg.get_allocator<int>());
    other = *v;
    EXPECT_EQ(other, *v);
    other.swap(*v);
    EXPECT_EQ(other.size(), 5000u);

    auto* s = seg.construct<shm_string>("s", "short", seg.get_allocator<char>());
    EXPECT_EQ(*s, "short");
    s->append(" and now long enough to leave the small-string buffer behind");
    EXPECT_TRUE(seg.contains(s->data()));
    EXPECT_EQ(s->substr(0, 9), "short and");
    shm_string copy(*s);
    EXPECT_EQ(copy, *s);
    copy += "!";
    EXPECT_NE(copy, *s);
    EXPECT_EQ(s->find("small"), 39u);

    auto* strings = seg.construct<shm_vector<shm_string>>("strings", seg.get_allocator<int>());
    for (int i = 0; i < 200; ++i)
      strings->emplace_back("string number " + std::to_string(i) + " of the vector");
    EXPECT_EQ(strings->at(123), "string number 123 of the vector");
    std::sort(strings->begin(), strings->end());
    EXPECT_EQ(strings->front(), "string number 0 of the vector");

    std::deque<int, segment_allocator<int>> dq(seg.get_allocator<int>());
    for (int i = 0; i < 3000; ++i)
      dq.push_front(i);
    EXPECT_EQ(dq.back(), 0);

    EXPECT_TRUE(seg.check()) << seg.check().problem;
    EXPECT_TRUE(seg.destroy<shm_vector<int>>("v"));
    EXPECT_TRUE(seg.destroy<shm_string>("s"));
    EXPECT_TRUE(seg.destroy<shm_vector<shm_string>>("strings"));
  }
  EXPECT_EQ(seg.free_memory(), start);
  EXPECT_TRUE(seg.check());
}

}  // namespace
