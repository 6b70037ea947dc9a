// mmf — tests of <mmf/offset_ptr.hpp>: null, copies at other addresses, arithmetic and comparison
// properties against raw pointers, pointer_traits and iterator_traits, conversions.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <memory>
#include <numeric>
#include <random>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/offset_ptr.hpp>

namespace {

using mmf::offset_ptr;

struct base {
  int b = 1;
};
struct derived : base {
  int d = 2;
};

static_assert(std::is_same_v<std::pointer_traits<offset_ptr<int>>::element_type, int>);
static_assert(std::is_same_v<std::pointer_traits<offset_ptr<int>>::rebind<char>, offset_ptr<char>>);
static_assert(
    std::is_same_v<std::pointer_traits<offset_ptr<int>>::difference_type, std::ptrdiff_t>);
static_assert(std::is_same_v<std::iterator_traits<offset_ptr<int>>::iterator_category,
                             std::random_access_iterator_tag>);
static_assert(std::is_same_v<std::iterator_traits<offset_ptr<int>>::reference, int&>);
static_assert(std::random_access_iterator<offset_ptr<int>>);
static_assert(std::contiguous_iterator<offset_ptr<int>>);
static_assert(std::is_convertible_v<offset_ptr<int>, offset_ptr<const int>>);
static_assert(!std::is_convertible_v<offset_ptr<const int>, offset_ptr<int>>);
static_assert(std::is_convertible_v<offset_ptr<derived>, offset_ptr<base>>);
static_assert(std::is_constructible_v<offset_ptr<derived>, offset_ptr<base>>);  // static_cast
static_assert(!std::is_convertible_v<offset_ptr<base>, offset_ptr<derived>>);
static_assert(std::is_constructible_v<offset_ptr<int>, offset_ptr<void>>);
static_assert(std::is_convertible_v<offset_ptr<int>, int*>);

TEST(OffsetPtr, NullAndSelf) {
  offset_ptr<int> p;
  EXPECT_EQ(p, nullptr);
  EXPECT_EQ(p.get(), nullptr);
  EXPECT_TRUE(!p);
  offset_ptr<int> q = nullptr;
  EXPECT_EQ(p, q);
  // A pointer to itself (distance 0) is not null.
  struct self {
    offset_ptr<self> me;
  } s;
  s.me = &s;
  EXPECT_NE(s.me, nullptr);
  EXPECT_EQ(s.me.get(), &s);
  offset_ptr<void> v = static_cast<void*>(&s);
  EXPECT_EQ(v.get(), &s);
  EXPECT_EQ(std::to_address(v), &s);
}

TEST(OffsetPtr, CopiesAtOtherAddressesPointToTheSameTarget) {
  int target = 5;
  std::vector<offset_ptr<int>> many(10);
  for (auto& p : many)
    p = &target;
  std::vector<offset_ptr<int>> copies(many.begin(), many.end());
  for (auto& p : copies) {
    EXPECT_EQ(p.get(), &target);
    EXPECT_EQ(*p, 5);
  }
  // Moving the bytes of an offset_ptr together with its target keeps it valid (what a second
  // mapping at another address does).
  struct node {
    int value;
    offset_ptr<int> at;
  };
  alignas(node) unsigned char a[sizeof(node)], b[sizeof(node)];
  auto* n = ::new (a) node{42, nullptr};
  n->at = &n->value;
  std::memcpy(b, a, sizeof(node));
  auto* m = reinterpret_cast<node*>(b);
  EXPECT_EQ(m->at.get(), &m->value);
  EXPECT_EQ(*m->at, 42);
}

TEST(OffsetPtr, ArithmeticAndComparisonMatchRawPointers) {
  std::vector<long> data(200);
  std::iota(data.begin(), data.end(), 0);
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> pick(0, 199);
  for (int round = 0; round < 2000; ++round) {
    long* ra = data.data() + pick(rng);
    long* rb = data.data() + pick(rng);
    offset_ptr<long> a = ra, b = rb;
    EXPECT_EQ(a - b, ra - rb);
    EXPECT_EQ(a == b, ra == rb);
    EXPECT_EQ(a != b, ra != rb);
    EXPECT_EQ(a < b, ra < rb);
    EXPECT_EQ(a <= b, ra <= rb);
    EXPECT_EQ(a > b, ra > rb);
    EXPECT_EQ(a >= b, ra >= rb);
    EXPECT_EQ(a == rb, ra == rb);
    const std::ptrdiff_t k = rb - ra;
    EXPECT_EQ((a + k).get(), rb);
    EXPECT_EQ((k + a).get(), rb);
    EXPECT_EQ((b - k).get(), ra);
    offset_ptr<long> c = a;
    c += k;
    EXPECT_EQ(c, b);
    c -= k;
    EXPECT_EQ(c, a);
    EXPECT_EQ(a[k], *rb);
    if (ra + 1 < data.data() + data.size()) {
      offset_ptr<long> d = a;
      EXPECT_EQ((d++).get(), ra);
      EXPECT_EQ(d.get(), ra + 1);
      EXPECT_EQ((++d).get(), ra + 2);
      EXPECT_EQ((d--).get(), ra + 2);
      EXPECT_EQ((--d).get(), ra);
    }
  }
  offset_ptr<long> first = data.data();
  offset_ptr<long> last = data.data() + data.size();
  EXPECT_EQ(std::distance(first, last), 200);
  EXPECT_EQ(std::accumulate(first, last, 0L), 199L * 200 / 2);
  std::vector<long> copy(first, last);
  EXPECT_EQ(copy, data);
  std::sort(first, last, std::greater<>());
  EXPECT_EQ(data.front(), 199);
}

TEST(OffsetPtr, ConversionsAndPointerTraits) {
  derived d;
  offset_ptr<derived> pd = &d;
  offset_ptr<base> pb = pd;
  EXPECT_EQ(pb.get(), static_cast<base*>(&d));
  EXPECT_EQ(pb->b, 1);
  offset_ptr<derived> back(pb);
  EXPECT_EQ(back.get(), &d);
  offset_ptr<const derived> pc = pd;
  EXPECT_EQ(pc->d, 2);
  offset_ptr<void> pv = pd;
  EXPECT_EQ(offset_ptr<derived>(pv).get(), &d);
  EXPECT_EQ(std::pointer_traits<offset_ptr<derived>>::pointer_to(d).get(), &d);
  EXPECT_EQ(offset_ptr<derived>::pointer_to(d), pd);
  derived* raw = pd;
  EXPECT_EQ(raw, &d);
  offset_ptr<derived> x, y = &d;
  swap(x, y);
  EXPECT_EQ(x.get(), &d);
  EXPECT_EQ(y, nullptr);
}

}  // namespace
