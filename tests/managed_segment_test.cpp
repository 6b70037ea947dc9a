// mmf — tests of <mmf/managed_segment.hpp>: factories and their error rows, empty and moved-from
// objects, allocation (alignment, full, reuse), named objects (construct, find, find_or_construct,
// destroy, type checks, throwing constructors), statistics and the checker, persisted segments.
#include <cstdint>
#include <cstring>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <mmf/managed_segment.hpp>

#include "support/error_assertions.hpp"
#include "support/test_support.hpp"

namespace {

using mmf::managed_segment;
using mmf_test::unique_name;

constexpr std::uint64_t seg_size = 1 << 20;

struct point {
  int x = 0;
  int y = 0;
  point() = default;
  point(int a, int b) : x(a), y(b) {}
};

struct thrower {
  explicit thrower(int) { throw std::runtime_error("constructor fails"); }
};

struct alignas(64) wide {
  unsigned char bytes[64];
};

TEST(ManagedSegment, EmptyAndMovedFromObjects) {
  managed_segment empty;
  EXPECT_FALSE(empty);
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_TRUE(empty.name().empty());
  EXPECT_FALSE(empty.contains(&empty));
  empty.deallocate(nullptr);
  empty.deallocate(&empty);
  EXPECT_MMF_ERROR(empty.allocate(16), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(empty.free_memory(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(empty.construct<int>("x", 1), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(empty.find_or_construct<int>("x", 1), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(empty.find<int>("x"), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(empty.destroy<int>("x"), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(empty.statistics(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(empty.check(), std::errc::bad_file_descriptor);
  EXPECT_MMF_ERROR(empty.objects(), std::errc::bad_file_descriptor);
  auto alloc = empty.get_allocator<int>();
  EXPECT_EQ(alloc.segment(), nullptr);
  EXPECT_MMF_ERROR(alloc.allocate(1), std::errc::bad_file_descriptor);
  std::error_code ec;
  EXPECT_EQ(empty.allocate(16, 16, ec), nullptr);
  EXPECT_EQ(ec, std::errc::bad_file_descriptor);

  const std::string name = unique_name("seg");
  auto seg = managed_segment::create_new(name, seg_size);
  ASSERT_TRUE(seg);
  managed_segment moved(std::move(seg));
  EXPECT_FALSE(seg);  // NOLINT: testing the moved-from state
  EXPECT_EQ(seg.size(), 0u);
  EXPECT_MMF_ERROR(seg.allocate(1), std::errc::bad_file_descriptor);
  EXPECT_TRUE(moved);
  EXPECT_EQ(moved.name(), name);
  managed_segment assigned;
  assigned = std::move(moved);
  EXPECT_TRUE(assigned);
  EXPECT_FALSE(moved);  // NOLINT
}

TEST(ManagedSegment, FactoryErrors) {
  const std::string name = unique_name("seg");
  EXPECT_MMF_ERROR(managed_segment::open_existing(name), std::errc::no_such_file_or_directory);
  EXPECT_MMF_ERROR(managed_segment::create_new("", seg_size), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(managed_segment::create_new("a/b", seg_size), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(managed_segment::create_new(name, 0), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(managed_segment::create_new(name, 4096), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(managed_segment::create_or_open(name, 100), std::errc::invalid_argument);
  auto seg = managed_segment::create_new(name, seg_size);
  const std::string what =
      MMF_ERROR_WHAT(managed_segment::create_new(name, seg_size), std::errc::file_exists);
  EXPECT_NE(what.find("create_new"), std::string::npos) << what;
  EXPECT_NE(what.find(name), std::string::npos) << what;

  std::error_code ec;
  EXPECT_FALSE(managed_segment::create_new(name, seg_size, ec));
  EXPECT_EQ(ec, std::errc::file_exists);
  EXPECT_FALSE(managed_segment::open_existing(unique_name("seg"), ec));
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
  bool created = true;
  EXPECT_TRUE(managed_segment::create_or_open(name, seg_size, &created, ec));
  EXPECT_FALSE(ec);
  EXPECT_FALSE(created);
  EXPECT_FALSE(managed_segment::create_from_file("", mmf::file_mode::open, 0, ec));
  EXPECT_TRUE(ec);
}

TEST(ManagedSegment, NotASegmentIsInvalidArgument) {
  const std::string name = unique_name("seg");
  auto map = mmf::memory_mapped_file::create_new(name, seg_size);
  auto view = map.create_view_accessor();
  view.write<std::uint64_t>(0, 0x1234);  // not the segment's magic
  EXPECT_MMF_ERROR(managed_segment::open_existing(name), std::errc::invalid_argument);
}

TEST(ManagedSegment, CreateOrOpenSharesOneHeap) {
  const std::string name = unique_name("seg");
  bool created = false;
  auto a = managed_segment::create_or_open(name, seg_size, &created);
  EXPECT_TRUE(created);
  auto b = managed_segment::create_or_open(name, seg_size, &created);
  EXPECT_FALSE(created);
  auto c = managed_segment::open_existing(name);
  EXPECT_EQ(a.size(), seg_size);
  EXPECT_EQ(c.size(), seg_size);
  int* n = a.construct<int>("n", 7);
  ASSERT_NE(b.find<int>("n"), nullptr);
  EXPECT_EQ(*b.find<int>("n"), 7);
  *n = 8;
  EXPECT_EQ(*c.find<int>("n"), 8);
  EXPECT_NE(static_cast<void*>(n), static_cast<void*>(c.find<int>("n")));  // another view
}

TEST(ManagedSegment, AllocateAlignsAndReusesMemory) {
  auto seg = managed_segment::create_new(unique_name("seg"), seg_size);
  const std::uint64_t start = seg.free_memory();
  EXPECT_GT(start, seg_size - 64 * 1024);
  EXPECT_LT(start, seg_size);
  std::vector<void*> blocks;
  for (std::size_t align : {1u, 2u, 8u, 16u, 32u, 64u, 256u, 4096u}) {
    for (std::size_t bytes : {0u, 1u, 17u, 100u, 5000u}) {
      void* p = seg.allocate(bytes, align);
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % align, 0u) << bytes << " " << align;
      EXPECT_GE(reinterpret_cast<std::uintptr_t>(p) % 16, 0u);
      EXPECT_TRUE(seg.contains(p));
      if (bytes > 0) std::memset(p, 0xab, bytes);
      blocks.push_back(p);
    }
  }
  EXPECT_TRUE(seg.check()) << seg.check().problem;
  EXPECT_LT(seg.free_memory(), start);
  std::set<void*> distinct(blocks.begin(), blocks.end());
  EXPECT_EQ(distinct.size(), blocks.size());
  for (void* p : blocks)
    seg.deallocate(p);
  EXPECT_EQ(seg.free_memory(), start);
  auto report = seg.check();
  EXPECT_TRUE(report) << report.problem;
  EXPECT_EQ(report.free_blocks, 1u);
  EXPECT_EQ(report.used_blocks, 0u);
  EXPECT_MMF_ERROR(seg.allocate(16, 3), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(seg.allocate(16, 0), std::errc::invalid_argument);
  EXPECT_FALSE(seg.contains(nullptr));
  int local = 0;
  EXPECT_FALSE(seg.contains(&local));
  seg.deallocate(&local);  // ignored
  seg.deallocate(nullptr);
  EXPECT_EQ(seg.free_memory(), start);
}

TEST(ManagedSegment, FullSegmentIsNotEnoughMemory) {
  auto seg = managed_segment::create_new(unique_name("seg"), 256 * 1024);
  const std::uint64_t start = seg.free_memory();
  EXPECT_MMF_ERROR(seg.allocate(300 * 1024), std::errc::not_enough_memory);
  EXPECT_MMF_ERROR(seg.allocate(static_cast<std::size_t>(-1)), std::errc::not_enough_memory);
  std::vector<void*> blocks;
  std::error_code ec;
  for (;;) {
    void* p = seg.allocate(1000, 16, ec);
    if (p == nullptr) break;
    blocks.push_back(p);
    ASSERT_LT(blocks.size(), 300u);
  }
  EXPECT_EQ(ec, std::errc::not_enough_memory);
  EXPECT_GT(blocks.size(), 100u);
  while (void* p = seg.allocate(1, 1, ec))
    blocks.push_back(p);  // the last crumbs
  EXPECT_MMF_ERROR(seg.construct<wide>("w"), std::errc::not_enough_memory);
  EXPECT_TRUE(seg.check());
  for (void* p : blocks)
    seg.deallocate(p);
  EXPECT_EQ(seg.free_memory(), start);
}

TEST(ManagedSegment, DoubleFreeIsIgnored) {
  auto seg = managed_segment::create_new(unique_name("seg"), seg_size);
  const std::uint64_t start = seg.free_memory();
  void* a = seg.allocate(64);
  void* b = seg.allocate(64);
  seg.deallocate(a);
  seg.deallocate(a);
  seg.deallocate(static_cast<char*>(b) + 16);  // not a block's start
  EXPECT_TRUE(seg.check()) << seg.check().problem;
  seg.deallocate(b);
  EXPECT_EQ(seg.free_memory(), start);
}

TEST(ManagedSegment, NamedObjects) {
  auto seg = managed_segment::create_new(unique_name("seg"), seg_size);
  const std::uint64_t start = seg.free_memory();
  EXPECT_EQ(seg.find<point>("p"), nullptr);
  EXPECT_FALSE(seg.destroy<point>("p"));
  point* p = seg.construct<point>("p", 3, 4);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(seg.contains(p));
  EXPECT_EQ(p->x, 3);
  EXPECT_EQ(seg.find<point>("p"), p);
  EXPECT_MMF_ERROR(seg.construct<point>("p", 1, 1), std::errc::file_exists);
  EXPECT_MMF_ERROR(seg.construct<int>("p", 1), std::errc::file_exists);
  EXPECT_MMF_ERROR(seg.find<int>("p"), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(seg.destroy<int>("p"), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(seg.find_or_construct<int>("p", 1), std::errc::invalid_argument);
  EXPECT_EQ(seg.find_or_construct<point>("p", 9, 9), p);
  EXPECT_EQ(p->x, 3);
  point* q = seg.find_or_construct<point>("q", 5, 6);
  EXPECT_EQ(q->y, 6);
  wide* w = seg.construct<wide>("w");
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(w) % 64, 0u);
  EXPECT_MMF_ERROR(seg.construct<int>("", 1), std::errc::invalid_argument);
  EXPECT_MMF_ERROR(seg.find<int>(std::string(256, 'x')), std::errc::invalid_argument);
  EXPECT_NE(seg.construct<int>(std::string(255, 'x'), 1), nullptr);

  const auto list = seg.objects();
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].name, "p");
  EXPECT_EQ(list[0].size, sizeof(point));
  EXPECT_FALSE(list[0].type.empty());
  auto stats = seg.statistics();
  EXPECT_EQ(stats.objects, 4u);
  auto report = seg.check();
  EXPECT_TRUE(report) << report.problem;
  EXPECT_EQ(report.objects, 4u);

  EXPECT_TRUE(seg.destroy<point>("p"));
  EXPECT_EQ(seg.find<point>("p"), nullptr);
  EXPECT_FALSE(seg.destroy<point>("p"));
  EXPECT_TRUE(seg.destroy<point>("q"));
  EXPECT_TRUE(seg.destroy<wide>("w"));
  EXPECT_TRUE(seg.destroy<int>(std::string(255, 'x')));
  EXPECT_EQ(seg.free_memory(), start);
  EXPECT_TRUE(seg.check());
}

TEST(ManagedSegment, ThrowingConstructorLeavesNothing) {
  auto seg = managed_segment::create_new(unique_name("seg"), seg_size);
  const std::uint64_t start = seg.free_memory();
  EXPECT_THROW(seg.construct<thrower>("t", 1), std::runtime_error);
  EXPECT_EQ(seg.find<thrower>("t"), nullptr);
  EXPECT_THROW(seg.find_or_construct<thrower>("t", 1), std::runtime_error);
  EXPECT_EQ(seg.find<thrower>("t"), nullptr);
  EXPECT_EQ(seg.free_memory(), start);
  auto report = seg.check();
  EXPECT_TRUE(report) << report.problem;
  EXPECT_EQ(report.objects, 0u);
}

TEST(ManagedSegment, StatisticsReportFragmentation) {
  auto seg = managed_segment::create_new(unique_name("seg"), seg_size);
  auto s = seg.statistics();
  EXPECT_EQ(s.size, seg_size);
  EXPECT_EQ(s.free_blocks, 1u);
  EXPECT_EQ(s.largest_free_block, s.free_bytes);
  EXPECT_EQ(s.fragmentation(), 0.0);
  std::vector<void*> blocks;
  for (int i = 0; i < 100; ++i)
    blocks.push_back(seg.allocate(1000));
  for (std::size_t i = 0; i < blocks.size(); i += 2)
    seg.deallocate(blocks[i]);
  s = seg.statistics();
  EXPECT_EQ(s.free_blocks, 51u);
  EXPECT_EQ(s.used_blocks, 50u);
  EXPECT_LT(s.largest_free_block, s.free_bytes);
  EXPECT_GT(s.fragmentation(), 0.0);
  EXPECT_LT(s.fragmentation(), 1.0);
  EXPECT_EQ(s.free_bytes, seg.free_memory());
  for (std::size_t i = 1; i < blocks.size(); i += 2)
    seg.deallocate(blocks[i]);
  EXPECT_EQ(seg.statistics().free_blocks, 1u);
}

TEST(ManagedSegment, CheckerFindsCorruption) {
  auto seg = managed_segment::create_new(unique_name("seg"), seg_size);
  auto* a = static_cast<std::uint64_t*>(seg.allocate(64));
  void* b = seg.allocate(64);
  ASSERT_TRUE(seg.check());
  const std::uint64_t saved = a[-2];
  a[-2] = 0x30;  // the block header: a wrong size and flags
  auto report = seg.check();
  EXPECT_FALSE(report);
  EXPECT_FALSE(report.problem.empty());
  a[-2] = saved;
  EXPECT_TRUE(seg.check());
  seg.deallocate(b);
  auto* free_block = static_cast<std::uint64_t*>(b);
  free_block[-1] ^= 0x1000;  // a free block's next link (the word after its header)
  EXPECT_FALSE(seg.check());
  free_block[-1] ^= 0x1000;
  EXPECT_TRUE(seg.check()) << seg.check().problem;
  seg.deallocate(a);
}

TEST(ManagedSegment, PersistedSegmentReopensWithItsObjects) {
  mmf_test::temp_dir dir;
  const auto file = dir / (unique_name("seg") + ".heap");
  EXPECT_MMF_ERROR(managed_segment::create_from_file(file, mmf::file_mode::open, 0),
                   std::errc::no_such_file_or_directory);
  EXPECT_MMF_ERROR(managed_segment::create_from_file(file, mmf::file_mode::create_new, 100),
                   std::errc::invalid_argument);
  std::uint64_t free_after = 0;
  {
    auto seg = managed_segment::create_from_file(file, mmf::file_mode::create_new, seg_size);
    EXPECT_EQ(seg.size(), seg_size);
    EXPECT_EQ(seg.name(), file.string());
    seg.construct<point>("origin", 1, 2);
    auto* text = static_cast<char*>(seg.allocate(32));
    std::strcpy(text, "persisted");
    *seg.construct<std::uint64_t>("text_at", 0u) = static_cast<std::uint64_t>(
        text - static_cast<char*>(static_cast<void*>(seg.find<point>("origin"))));
    free_after = seg.free_memory();
  }
  EXPECT_MMF_ERROR(managed_segment::create_from_file(file, mmf::file_mode::create_new, seg_size),
                   std::errc::file_exists);
  auto seg = managed_segment::create_from_file(file, mmf::file_mode::open, 0);
  EXPECT_EQ(seg.size(), seg_size);
  EXPECT_EQ(seg.free_memory(), free_after);
  point* origin = seg.find<point>("origin");
  ASSERT_NE(origin, nullptr);
  EXPECT_EQ(origin->x, 1);
  EXPECT_EQ(origin->y, 2);
  const auto* text = reinterpret_cast<const char*>(origin) + *seg.find<std::uint64_t>("text_at");
  EXPECT_STREQ(text, "persisted");
  EXPECT_TRUE(seg.check());
  auto again = managed_segment::create_from_file(file, mmf::file_mode::open_or_create, seg_size);
  EXPECT_NE(again.find<point>("origin"), nullptr);

  mmf_test::write_file(dir / "garbage", std::string(seg_size, 'g'));
  EXPECT_MMF_ERROR(managed_segment::create_from_file(dir / "garbage", mmf::file_mode::open, 0),
                   std::errc::invalid_argument);
}

}  // namespace
